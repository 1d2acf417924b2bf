package features

import "math"

// downcastEverythingV2ToV1 is the hook the generated
// DowncastEverythingV2ToV1 calls for what Avro resolution cannot derive:
// version 2 dropped big (so a version 1 reader gets 0) and made the
// counters doubles (rounded back to longs here).
func downcastEverythingV2ToV1(in *EverythingV2, out *EverythingV1) error {
	out.Big = 0
	if in.Counters != nil {
		out.Counters = make(map[string]int64, len(in.Counters))
		for k, v := range in.Counters {
			out.Counters[k] = int64(math.Round(v))
		}
	}
	return nil
}
