package stream

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestProduceEncodesAndRoundTrips(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 3, "copy": 3})
	reg := startRegistry(t)
	reg.register(t, "orders-value", orderV1)
	reg.register(t, "orders-value", orderV2)
	reg.register(t, "copy-value", orderV2)
	c := tc.client(WithRegistry(reg.serde()))

	in := `{"key":"o-1","value":{"id":"o-1","amount":12.5,"at":"2024-05-01T10:00:00.000Z"},"headers":{"ce_id":"e1","multi":["a","b"]}}

{"key":"o-2","value":{"id":"o-2","amount":1,"at":0,"channel":"app"}}
{"key":"o-3","value":null}
{"key":42,"value":"raw text","value_encoding":"utf8"}
{"key":null,"value":"AAEC","value_encoding":"base64"}
`
	res, err := c.Produce(ctxT(t), ProduceOptions{Topic: "orders"}, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 5 || res.ValueSchema == nil || res.ValueSchema.Version != 2 {
		t.Errorf("result %+v", res)
	}

	var out bytes.Buffer
	var recs []*Record
	if _, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders"}}}, func(r *Record) error {
		recs = append(recs, r)
		out.Write(r.AppendJSON(nil))
		out.WriteByte('\n')
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, w := range []string{
		`"headers":{"ce_id":"e1","multi":["a","b"]},"key":"o-1","key_encoding":"utf8","value":{"id":"o-1","amount":12.50,"at":"2024-05-01T10:00:00.000Z","channel":"web"},"value_encoding":"avro","value_schema":{"id":2`,
		`"key":"o-3","key_encoding":"utf8","value":null,"value_encoding":"null"`,
		`"key":"42","key_encoding":"utf8","value":"raw text","value_encoding":"utf8"`,
		`"key":null,"key_encoding":"null","value":"AAEC","value_encoding":"base64"`,
	} {
		if !strings.Contains(text, w) {
			t.Errorf("consumed output lacks %s\n%s", w, text)
		}
	}
	// Records with the same key land in the same partition.
	keyPart := map[string]int32{}
	for _, r := range recs {
		keyPart[string(r.Key.Raw)] = r.Partition
	}

	// consume -o json | produce copies the records (keys, headers).
	res, err = c.Produce(ctxT(t), ProduceOptions{Topic: "copy"}, strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 5 {
		t.Errorf("copied %d records", res.Records)
	}
	var copied []*Record
	if _, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"copy"}}}, func(r *Record) error {
		copied = append(copied, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, r := range copied {
		if r.Key.Encoding != EncNull && keyPart[string(r.Key.Raw)] != r.Partition {
			t.Errorf("key %q: partition %d in copy, %d in source", r.Key.Raw, r.Partition, keyPart[string(r.Key.Raw)])
		}
		if string(r.Key.Raw) == "o-1" && (len(r.Headers) != 3 || string(r.Value.JSON) != `{"id":"o-1","amount":12.50,"at":"2024-05-01T10:00:00.000Z","channel":"web"}`) {
			t.Errorf("copied o-1: headers %v value %s", r.Headers, r.Value.JSON)
		}
	}
}

func TestProduceVersionAndErrors(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 1})
	reg := startRegistry(t)
	reg.register(t, "orders-value", orderV1)
	reg.register(t, "orders-value", orderV2)
	c := tc.client(WithRegistry(reg.serde()))

	// Version 1 has no channel field: encoding fails naming line and field.
	in := `{"key":"a","value":{"id":"a","amount":1,"at":0}}
{"key":"b","value":{"id":"b","amount":1,"at":0,"channel":"app"}}
{"key":"c","value":{"id":"c","amount":"x","at":0}}
{"key":"d","vlaue":{}}
not json
{"key":{"k":1},"value":{"id":"e","amount":1,"at":0}}
`
	_, err := c.Produce(ctxT(t), ProduceOptions{Topic: "orders", Version: 1}, strings.NewReader(in))
	var les LineErrors
	if !errors.As(err, &les) {
		t.Fatalf("got %v, want LineErrors", err)
	}
	msg := err.Error()
	for _, w := range []string{
		`line 2: value (subject "orders-value" version 1): encode with schema id 1: OrderPlaced: offset `,
		`channel`,
		`line 3: value (subject "orders-value" version 1): encode with schema id 1: OrderPlaced.amount`,
		`line 4: unknown field "vlaue"`,
		`line 5: invalid JSON`,
		`line 6: key: want a string`,
	} {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q:\n%s", w, msg)
		}
	}
	if len(les) != 5 {
		t.Errorf("%d line errors, want 5", len(les))
	}
	// Nothing was written.
	if n := countRecords(t, c, "orders"); n != 0 {
		t.Errorf("%d records written despite errors", n)
	}

	// Version 1 encodes the valid line.
	if _, err := c.Produce(ctxT(t), ProduceOptions{Topic: "orders", Version: 1}, strings.NewReader(`{"key":"a","value":{"id":"a","amount":1,"at":0}}`)); err != nil {
		t.Fatal(err)
	}
	var v *Record
	c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders"}}}, func(r *Record) error { v = r; return nil })
	if v == nil || v.Value.Schema == nil || v.Value.Schema.Version != 1 {
		t.Errorf("record not written with version 1: %+v", v)
	}

	// Unknown topic and unknown subject are reported once, not per line.
	if _, err := c.Produce(ctxT(t), ProduceOptions{Topic: "nope"}, strings.NewReader("{}")); err == nil || !strings.Contains(err.Error(), `topic does not exist: "nope"`) {
		t.Errorf("unknown topic: %v", err)
	}
	if _, err := c.Produce(ctxT(t), ProduceOptions{Topic: "orders", ValueSubject: "missing"}, strings.NewReader(`{"value":{}}`+"\n"+`{"value":{}}`)); err == nil || !strings.Contains(err.Error(), `value schema: subject "missing" latest version`) || strings.Contains(err.Error(), "line") {
		t.Errorf("unknown subject: %v", err)
	}
}

func countRecords(t *testing.T, c *Client, topic string) int {
	t.Helper()
	n := 0
	if _, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{topic}}}, func(*Record) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestProduceRefusesRecordsLargerThanTheProducerMax: a record the producer
// client would fail with MESSAGE_TOO_LARGE is an invalid line, found
// before anything is written; the limit is the one franz-go applies (a
// record of exactly the limit is written, one byte more is refused by
// franz-go itself).
func TestProduceRefusesRecordsLargerThanTheProducerMax(t *testing.T) {
	const max = 2048
	tc := newTestCluster(t, map[string]int32{"big": 1})
	small := tc.newClient(kgo.ProducerBatchMaxBytes(max))
	c, err := New(WithAdmin(tc.admin), WithConsumer(tc.consumer), WithProducer(small))
	if err != nil {
		t.Fatal(err)
	}
	value := func(batch int) []byte {
		for n := batch; n > 0; n-- {
			if recordBatchSize(&kgo.Record{Key: []byte("k"), Value: make([]byte, n)}) == int64(batch) {
				return make([]byte, n)
			}
		}
		t.Fatalf("no value makes a batch of %d bytes", batch)
		return nil
	}
	line := func(v []byte) string {
		return fmt.Sprintf(`{"key":"k","value":%q,"value_encoding":"base64"}`, base64.StdEncoding.EncodeToString(v))
	}
	atMax, overMax := value(max), value(max+1)

	// franz-go itself, on a fresh client like Produce's (the produce
	// version not known yet): the record at the limit is written, one byte
	// more fails.
	if err := tc.newClient(kgo.ProducerBatchMaxBytes(max)).ProduceSync(ctxT(t), &kgo.Record{Topic: "big", Key: []byte("k"), Value: atMax}).FirstErr(); err != nil {
		t.Fatalf("franz-go refused a record at the limit: %v", err)
	}
	if err := tc.newClient(kgo.ProducerBatchMaxBytes(max)).ProduceSync(ctxT(t), &kgo.Record{Topic: "big", Key: []byte("k"), Value: overMax}).FirstErr(); !errors.Is(err, kerr.MessageTooLarge) {
		t.Fatalf("franz-go wrote a record over the limit: %v", err)
	}
	before := countRecords(t, c, "big")

	in := line([]byte("ok")) + "\n" + line(atMax) + "\n" + line(overMax) + "\n"
	res, err := c.Produce(ctxT(t), ProduceOptions{Topic: "big"}, strings.NewReader(in))
	var les LineErrors
	if !errors.As(err, &les) || len(les) != 1 {
		t.Fatalf("got %v, want one line error", err)
	}
	if want := fmt.Sprintf("line 3: record is %d bytes, more than the producer's max of %d", max+1, max); les[0].Error() != want {
		t.Errorf("got %q, want %q", les[0].Error(), want)
	}
	if res.Records != 0 {
		t.Errorf("result says %d record(s) written", res.Records)
	}
	if n := countRecords(t, c, "big"); n != before {
		t.Errorf("%d record(s) written despite the invalid line", n-before)
	}

	// The default limit is franz-go's 1,000,012 bytes (Kafka's
	// max.message.bytes default).
	d := tc.client()
	_, err = d.Produce(ctxT(t), ProduceOptions{Topic: "big"}, strings.NewReader(line([]byte("ok"))+"\n"+line(make([]byte, 1000000))+"\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2: record is 1000077 bytes, more than the producer's max of 1000012") {
		t.Errorf("a 1 MB record with the default producer: %v", err)
	}
}

// TestProduceReportsWhatWasWrittenWhenTheBrokerRefuses: a record the
// producer accepts but the broker refuses (the topic's max.message.bytes is
// smaller) fails at write time; the error names the failing line and
// exactly the lines that were and were not written, and the result counts
// what was written.
func TestProduceReportsWhatWasWrittenWhenTheBrokerRefuses(t *testing.T) {
	tc := newTestCluster(t, nil)
	adm := kadm.NewClient(tc.admin)
	maxBytes := "1000"
	if _, err := adm.CreateTopic(ctxT(t), 2, 1, map[string]*string{"max.message.bytes": &maxBytes}, "small"); err != nil {
		t.Fatal(err)
	}
	c := tc.client()
	// Records go to two partitions by key; the big one fails its whole
	// partition's batch, the other partition is written.
	var in strings.Builder
	for i := range 6 {
		fmt.Fprintf(&in, `{"key":"k%d","value":"v%d","value_encoding":"utf8"}`+"\n", i, i)
	}
	noise := make([]byte, 2000) // incompressible, as the broker sees batches compressed
	rand.NewChaCha8([32]byte{1}).Read(noise)
	fmt.Fprintf(&in, `{"key":"big","value":"%s","value_encoding":"base64"}`+"\n", base64.StdEncoding.EncodeToString(noise))
	res, err := c.Produce(ctxT(t), ProduceOptions{Topic: "small"}, strings.NewReader(in.String()))
	var pe *ProduceError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a *ProduceError", err)
	}
	if !errors.Is(err, kerr.MessageTooLarge) || pe.Topic != "small" || pe.Line < 1 || pe.Line > 7 {
		t.Errorf("error %+v", pe)
	}
	if !slices.Contains(pe.NotWritten, 7) || len(pe.Written)+len(pe.NotWritten) != 7 || res.Records != len(pe.Written) {
		t.Errorf("written %v, not written %v, result %d record(s)", pe.Written, pe.NotWritten, res.Records)
	}
	// What the error says was written is what the topic holds.
	var got []int
	if _, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"small"}}}, func(r *Record) error {
		n, _ := strconv.Atoi(strings.TrimPrefix(string(r.Key.Raw), "k"))
		got = append(got, n+1)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, pe.Written) || len(got) == 0 {
		t.Errorf("the topic holds lines %v; the error says %v were written", got, pe.Written)
	}
	t.Log(err)
	if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("%d of 7 record(s) were written (", len(pe.Written))) ||
		!strings.Contains(msg, fmt.Sprintf(", %d were not (", len(pe.NotWritten))) || !strings.Contains(msg, "MESSAGE_TOO_LARGE") {
		t.Errorf("message: %s", msg)
	}
}

func TestLineRanges(t *testing.T) {
	for _, c := range []struct {
		lines []int
		want  string
	}{
		{[]int{4}, "line 4"},
		{[]int{1, 2, 3}, "lines 1-3"},
		{[]int{1, 2, 3, 5, 7, 8}, "lines 1-3, 5, 7-8"},
		{[]int{1, 3, 5, 7}, "lines 1, 3 and 2 more line(s)"},
	} {
		max := 10
		if len(c.lines) == 4 {
			max = 2
		}
		if got := lineRanges(c.lines, max); got != c.want {
			t.Errorf("lineRanges(%v) = %q, want %q", c.lines, got, c.want)
		}
	}
}

// TestHeaderBytesRoundTrip: consume -o json | produce keeps header values
// that are not UTF-8 (written as base64, marked in header_encodings) byte
// for byte, next to text headers and repeated names.
func TestHeaderBytesRoundTrip(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"src": 1, "dst": 1})
	c := tc.client()
	bin := []byte{0xff, 0xfe}
	tc.produce(&kgo.Record{Topic: "src", Key: []byte("k"), Value: []byte("v"), Headers: []kgo.RecordHeader{
		{Key: "bin", Value: bin}, {Key: "text", Value: []byte("héllo")}, {Key: "multi", Value: []byte("a")}, {Key: "multi", Value: []byte{0x80}},
	}})
	var out bytes.Buffer
	if _, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"src"}}}, func(r *Record) error {
		out.Write(r.AppendJSON(nil))
		out.WriteByte('\n')
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := `"headers":{"bin":"//4=","text":"héllo","multi":["YQ==","gA=="]},"header_encodings":{"bin":"base64","multi":"base64"},"key":"k"`
	if !strings.Contains(out.String(), want) {
		t.Errorf("JSON line lacks %s:\n%s", want, out.String())
	}
	if _, err := c.Produce(ctxT(t), ProduceOptions{Topic: "dst"}, &out); err != nil {
		t.Fatal(err)
	}
	var got []Header
	if _, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"dst"}}}, func(r *Record) error {
		got = r.Headers
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	wantHs := []Header{{Key: "bin", Value: bin}, {Key: "text", Value: []byte("héllo")}, {Key: "multi", Value: []byte("a")}, {Key: "multi", Value: []byte{0x80}}}
	if len(got) != len(wantHs) {
		t.Fatalf("copied headers %q, want %q", got, wantHs)
	}
	for i := range got {
		if got[i].Key != wantHs[i].Key || !bytes.Equal(got[i].Value, wantHs[i].Value) {
			t.Errorf("header %d: %s=%x, want %s=%x", i, got[i].Key, got[i].Value, wantHs[i].Key, wantHs[i].Value)
		}
	}

	// header_encodings is checked.
	for _, c := range []struct{ line, err string }{
		{`{"headers":{"a":"x"},"header_encodings":{"a":"hex"}}`, `header_encodings: "a": want utf8 or base64, got "hex"`},
		{`{"headers":{"a":"x"},"header_encodings":{"b":"base64"}}`, `header_encodings: "b" is not in headers`},
		{`{"headers":{"a":"!!"},"header_encodings":{"a":"base64"}}`, `headers: "a": header_encodings says base64: illegal base64 data at input byte 0`},
	} {
		_, err := tc.client().Produce(ctxT(t), ProduceOptions{Topic: "dst"}, strings.NewReader(`{"key":"k","value":"v","value_encoding":"utf8",`+c.line[1:]))
		if err == nil || !strings.Contains(err.Error(), "line 1: "+c.err) {
			t.Errorf("%s: got %v, want %s", c.line, err, c.err)
		}
	}
}

func TestProducePartitionAndRawLines(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 3})
	reg := startRegistry(t)
	reg.register(t, "orders-value", orderV1)
	p := int32(1)
	c := tc.client(WithRegistry(reg.serde()), WithProducer(tc.newClient(manual())))
	in := "o-1\t{\"id\":\"o-1\",\"amount\":2,\"at\":0}\r\no-2\t\n\no-3\t{\"id\":\"o\\t3\",\"amount\":3,\"at\":0}\n"
	res, err := c.Produce(ctxT(t), ProduceOptions{Topic: "orders", Partition: &p, KeySeparator: "\t", NullValue: true}, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 3 || res.Partitions[1] != 3 || len(res.Partitions) != 1 {
		t.Fatalf("result %+v, want 3 records all in partition 1", res)
	}
	var got []string
	if _, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders"}}}, func(r *Record) error {
		got = append(got, fmt.Sprintf("%d %s %s %s", r.Partition, r.Key.Text(), r.Value.Encoding, r.Value.Text()))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`1 o-1 avro {"id":"o-1","amount":2.00,"at":"1970-01-01T00:00:00.000Z"}`,
		`1 o-2 null null`,
		`1 o-3 avro {"id":"o\t3","amount":3.00,"at":"1970-01-01T00:00:00.000Z"}`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("consumed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Without a manual partitioner the records of key k land in the one
	// partition k hashes to: asking for either other one is an error.
	failed := 0
	for q := range int32(3) {
		c2 := tc.client(WithRegistry(reg.serde()))
		_, err := c2.Produce(ctxT(t), ProduceOptions{Topic: "orders", Partition: &q, KeySeparator: ":"},
			strings.NewReader(strings.Repeat(`k:{"id":"x","amount":1,"at":0}`+"\n", 4)))
		if err == nil {
			continue
		}
		var pe *ProduceError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "does not partition manually") {
			t.Errorf("partition %d: %v, want a ProduceError saying the client does not partition manually", q, err)
		}
		failed++
	}
	if failed != 2 {
		t.Errorf("%d of 3 partitions failed without a manual partitioner, want 2", failed)
	}

	// A partition the topic does not have, and NullValue without raw lines.
	q := int32(3)
	if _, err := c.Produce(ctxT(t), ProduceOptions{Topic: "orders", Partition: &q}, strings.NewReader("")); err == nil || !strings.Contains(err.Error(), `topic "orders" has no partition 3 (it has 3)`) {
		t.Errorf("partition 3: %v", err)
	}
	if _, err := c.Produce(ctxT(t), ProduceOptions{Topic: "orders", NullValue: true}, strings.NewReader("")); err == nil {
		t.Error("NullValue without KeySeparator accepted")
	}
}
