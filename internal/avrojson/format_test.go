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
		if got := appendFloat(nil, f, 64); string(got) != string(want) {
			t.Fatalf("appendFloat(%v [%016x]) = %s, want %s", f, math.Float64bits(f), got, want)
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
