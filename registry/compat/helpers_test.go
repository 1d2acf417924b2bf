package compat

import "github.com/hamba/avro/v2"

type avroSchema = avro.Schema
