package processor

// Murmur2 is Kafka's murmur2 hash of b (the Java client's
// Utils.murmur2, seed 0x9747b28c), the hash of Kafka's default partitioner
// and of franz-go's StickyKeyPartitioner.
func Murmur2(b []byte) int32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	n := len(b)
	h := seed ^ uint32(n)
	i := 0
	for ; n-i >= 4; i += 4 {
		k := uint32(b[i]) | uint32(b[i+1])<<8 | uint32(b[i+2])<<16 | uint32(b[i+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	switch n - i {
	case 3:
		h ^= uint32(b[i+2]) << 16
		fallthrough
	case 2:
		h ^= uint32(b[i+1]) << 8
		fallthrough
	case 1:
		h ^= uint32(b[i])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}

// PartitionFor returns the partition Kafka's default partitioner puts a
// record with key into among n partitions: the positive murmur2 hash
// modulo n.
func PartitionFor(key []byte, n int32) int32 {
	return (Murmur2(key) & 0x7fffffff) % n
}
