package processor

import (
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func kadmNew(cl *kgo.Client) *kadm.Client { return kadm.NewClient(cl) }
