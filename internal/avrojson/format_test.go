package avrojson

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// appendFloat's fast path for short decimals must write exactly what
// strconv's shortest form does.
func TestAppendFloatMatchesStrconv(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	check := func(f float64) {
		t.Helper()
		format := byte('f')
		if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
			format = 'e'
		}
		want := strconv.AppendFloat(nil, f, format, -1, 64)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return
		}
		// Into no room and into room for the in-place writes.
		for _, dst := range [][]byte{nil, make([]byte, 0, 64)} {
			if got := appendFloat(dst, f, 64); string(got) != string(want) {
				t.Fatalf("appendFloat(%v [%016x]) = %s, want %s", f, math.Float64bits(f), got, want)
			}
		}
	}
	for range 300_000 {
		// Decimals with up to 7 fractional digits, of every magnitude up
		// to and past 2^50, their neighbours, and random bits.
		k := rnd.IntN(8)
		m := rnd.Int64N(int64(1) << (1 + rnd.IntN(55)))
		f := float64(m) / math.Pow(10, float64(k))
		if rnd.IntN(2) == 0 {
			f = -f
		}
		check(f)
		check(math.Nextafter(f, math.Inf(1)))
		check(math.Nextafter(f, math.Inf(-1)))
		check(math.Float64frombits(rnd.Uint64()))
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1e-6, 9.99999e-7, 1 << 50, 1<<50 - 0.5, 1<<50 - 1, 0.1, 0.2, 0.3, 19.99, 5.5, 1e15, 123456789.0123, 0.00001, 0.0001, 4503599627370495.5} {
		check(f)
		check(-f)
	}
}

// civilDate agrees with the time package over the years 0–9999 and says
// no just outside them.
func TestCivilDate(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 11))
	check := func(days int64) {
		t.Helper()
		tm := time.Unix(days*secsPerDay, 0).UTC()
		y, m, d, ok := civilDate(days)
		inRange := tm.Year() >= 0 && tm.Year() <= 9999
		if ok != inRange || ok && (y != tm.Year() || m != int(tm.Month()) || d != tm.Day()) {
			t.Fatalf("civilDate(%d) = %d-%d-%d %v, time says %s", days, y, m, d, ok, tm.Format(time.DateOnly))
		}
	}
	for days := int64(dayYear0 - 800); days < dayYear0+800; days++ {
		check(days)
	}
	for days := int64(dayYear10000 - 800); days < dayYear10000+800; days++ {
		check(days)
	}
	for range 200_000 {
		check(rnd.Int64N(dayYear10000-dayYear0+20000) + dayYear0 - 10000)
	}
	check(math.MaxInt64 / secsPerDay)
	check(math.MinInt64 / secsPerDay)
}

// appendTimestamp writes what the time package does for every instant of
// the years 0–9999, in milliseconds and microseconds, zoned and local,
// through a date cache and without one, and the number outside them.
func TestAppendTimestampMatchesTime(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 9))
	var cache dateCache
	check := func(v int64, digits int, zoned bool) {
		t.Helper()
		var tm time.Time
		layout := "2006-01-02T15:04:05.000"
		if digits == 6 {
			tm, layout = time.UnixMicro(v).UTC(), "2006-01-02T15:04:05.000000"
		} else {
			tm = time.UnixMilli(v).UTC()
		}
		if zoned {
			layout += "Z"
		}
		want := `"` + tm.Format(layout) + `"`
		if tm.Year() < 0 || tm.Year() > 9999 {
			want = strconv.FormatInt(v, 10)
		}
		for _, c := range []*dateCache{nil, &cache} {
			// Into a buffer with no spare room and into one with a
			// prefix and room, which must be kept.
			if got := appendTimestamp(nil, v, digits, zoned, c); string(got) != want {
				t.Fatalf("appendTimestamp(%d, %d digits, zoned %v) = %s, want %s", v, digits, zoned, got, want)
			}
			dst := append(make([]byte, 0, 64), "x:"...)
			if got := appendTimestamp(dst, v, digits, zoned, c); string(got) != "x:"+want {
				t.Fatalf("appendTimestamp(x:, %d, %d digits) = %s, want x:%s", v, digits, got, want)
			}
		}
	}
	const maxMillis = 253402300800000 // 10000-01-01
	const minMillis = -62167219200000 // 0000-01-01
	for range 200_000 {
		ms := rnd.Int64N(maxMillis-minMillis+2000) + minMillis - 1000
		check(ms, 3, rnd.IntN(2) == 0)
		us := ms*1000 + rnd.Int64N(1000)
		check(us, 6, rnd.IntN(2) == 0)
		// Timestamps near each other, as a topic's are.
		check(1714557600000+rnd.Int64N(86_400_000), 3, true)
	}
	for _, v := range []int64{0, -1, 1, 999, -999, 1000, -1000, minMillis, minMillis - 1, maxMillis - 1, maxMillis, 1714557600000} {
		for _, zoned := range []bool{true, false} {
			check(v, 3, zoned)
			check(v*1000, 6, zoned)
			check(v*1000-1, 6, zoned)
		}
	}
}

// appendInt writes what strconv does.
func TestAppendIntMatchesStrconv(t *testing.T) {
	for _, v := range []int64{0, 1, 9, 10, 11, 42, 99, 100, 101, 999, -1, -9, -10, -99, -100, math.MaxInt64, math.MinInt64} {
		if got, want := appendInt([]byte("x"), v), strconv.AppendInt([]byte("x"), v, 10); string(got) != string(want) {
			t.Fatalf("appendInt(%d) = %s, want %s", v, got, want)
		}
	}
	for v := int64(-1000); v <= 1000; v++ {
		if got, want := appendInt(nil, v), strconv.AppendInt(nil, v, 10); string(got) != string(want) {
			t.Fatalf("appendInt(%d) = %s, want %s", v, got, want)
		}
	}
}

// appendSmallDecimal writes what appendScaled writes with the digits of
// the magnitude, for every scale it takes.
func TestAppendSmallDecimalMatchesAppendScaled(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 9))
	check := func(u uint64, neg bool, k int) {
		t.Helper()
		want := appendScaled(nil, neg, strconv.AppendUint(nil, u, 10), k)
		for _, dst := range [][]byte{[]byte("x"), append(make([]byte, 0, 64), 'x')} {
			if got := appendSmallDecimal(dst, u, neg, k); string(got) != "x"+string(want) {
				t.Fatalf("appendSmallDecimal(%d, %v, %d) = %s, want x%s", u, neg, k, got, want)
			}
		}
	}
	for k := 1; k <= maxShortFloatDigits; k++ {
		for _, u := range []uint64{0, 1, 9, 10, 99, 100, 12345, 1 << 63, math.MaxUint64, 99999, 100000, 999999, 1000000, 9999_9999, 1_0000_0000} {
			check(u, false, k)
			check(u, u != 0, k)
		}
		for range 20_000 {
			u := rnd.Uint64() >> rnd.IntN(64)
			if rnd.IntN(2) == 0 {
				u %= 100_000_000 // integer parts below 10,000
			}
			check(u, rnd.IntN(2) == 0 && u != 0, k)
		}
	}
}
