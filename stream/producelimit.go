package stream

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kgo"
)

// recordBatchOverhead is the size of a Kafka record batch (magic 2) around
// its records as franz-go counts it until it knows the broker's produce
// version: the 61-byte batch header and a 4-byte length (a flexible produce
// request, once known, takes 1 to 3 bytes fewer).
const recordBatchOverhead = 4 + // the batch's length in the request
	8 + // first offset
	4 + // batch length
	4 + // partition leader epoch
	1 + // magic
	4 + // crc
	2 + // attributes
	4 + // last offset delta
	8 + // first timestamp
	8 + // max timestamp
	8 + // producer id
	2 + // producer epoch
	4 + // first sequence
	4 // record count

// produceLimit is the largest record the producer client writes to a
// topic. franz-go fails a record with MESSAGE_TOO_LARGE, without sending
// it, when a batch holding only that record is larger than the batch limit
// of the topic (ProducerBatchMaxBytes, default 1,000,012 bytes; lowered to
// fit BrokerMaxWriteBytes), or when its key, value and headers are more
// than MaxBufferedBytes. Produce checks the same limits while validating,
// so such a record is reported as an invalid line before anything is
// written.
type produceLimit struct {
	batch    int64 // the largest batch of one record
	buffered int64 // MaxBufferedBytes; 0 when unlimited
}

// produceLimitOf reads the limits of the producer client cl for topic.
func produceLimitOf(cl *kgo.Client, topic string) produceLimit {
	lim := produceLimit{batch: 1000012} // franz-go's default
	if fn, ok := cl.OptValue(kgo.ProducerBatchMaxBytesFn).(func(string) int32); ok && fn != nil {
		lim.batch = int64(fn(topic))
	}
	// A batch must also fit a produce request of at most BrokerMaxWriteBytes
	// with its headers (franz-go's maxRecordBatchBytesForTopic): the request
	// header and produce request without topics (27 bytes, plus the client
	// and transactional ids), the topic (a 2-byte length and at least 16
	// bytes, a topic id's size) and the partition array, partition and
	// records length (12 bytes).
	if write, ok := cl.OptValue(kgo.BrokerMaxWriteBytes).(int32); ok && write > 0 {
		id, _ := cl.OptValue(kgo.ClientID).(string)
		txn, _ := cl.OptValue(kgo.TransactionalID).(string)
		overhead := int64(27+len(id)+len(txn)) + 2 + int64(max(16, len(topic))) + 12
		lim.batch = min(lim.batch, int64(write)-overhead)
	}
	if b, ok := cl.OptValue(kgo.MaxBufferedBytes).(int64); ok && b > 0 {
		lim.buffered = b
	}
	return lim
}

// check reports a record the producer would refuse. Sizes are counted with
// the largest framing (recordBatchOverhead), so a record that passes is
// never refused by the client, whatever produce version it speaks.
func (l produceLimit) check(r *kgo.Record) error {
	if n := recordBatchSize(r); n > l.batch {
		return fmt.Errorf("record is %d bytes, more than the producer's max of %d", n, l.batch)
	}
	if l.buffered > 0 {
		n := int64(len(r.Key) + len(r.Value))
		for _, h := range r.Headers {
			n += int64(len(h.Key) + len(h.Value))
		}
		if n > l.buffered {
			return fmt.Errorf("record's key, value and headers are %d bytes, more than the producer's max buffered bytes of %d", n, l.buffered)
		}
	}
	return nil
}

// recordBatchSize returns the size of a record batch that holds only r, as
// franz-go computes it before buffering the record: the batch header and
// the record's varint length and body (attributes, timestamp and offset
// deltas of 0, the key, the value and the headers, each length-prefixed).
func recordBatchSize(r *kgo.Record) int64 {
	body := 1 + // attributes
		kbin.VarlongLen(0) + // timestamp delta: the batch's first record
		kbin.VarintLen(0) + // offset delta
		kbin.VarintLen(int32(len(r.Key))) + len(r.Key) +
		kbin.VarintLen(int32(len(r.Value))) + len(r.Value) +
		kbin.VarintLen(int32(len(r.Headers)))
	for _, h := range r.Headers {
		body += kbin.VarintLen(int32(len(h.Key))) + len(h.Key) +
			kbin.VarintLen(int32(len(h.Value))) + len(h.Value)
	}
	return recordBatchOverhead + int64(kbin.VarintLen(int32(body))) + int64(body)
}
