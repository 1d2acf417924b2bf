package avrojson

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"math/big"
	"slices"
	"strconv"
	"sync/atomic"
)

// The renderer's leaves: Avro numbers, bytes, decimals, UUIDs, dates,
// times and timestamps written as JSON.

func appendBase64(dst, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

func appendFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Infinity"`...)
	}
	if bits == 64 {
		if out, ok := appendShortFloat(dst, f); ok {
			return out
		}
	}
	// As encoding/json: plain notation unless very small or large.
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(dst, f, format, -1, bits)
}

// maxShortFloatDigits is how many fractional digits appendShortFloat tries.
const maxShortFloatDigits = 4

// appendShortFloat writes f as strconv.AppendFloat(dst, f, 'f', -1, 64)
// does when f is within [1e-6, 2^50) in magnitude and its shortest decimal
// form has at most maxShortFloatDigits fractional digits (prices,
// quantities, ratios), and reports false otherwise. It is several times
// faster than the general shortest-form search.
//
// Why it gives the same digits: for k fractional digits, m = round(|f|·10^k)
// is the only integer within reach, because below 2^50 the doubles that
// round to f span less than 0.5 at that scale; m/10^k reads back as f
// exactly when the correctly rounded quotient of the two exact values
// float64(m) and 10^k is f. The first k that reads back gives the fewest
// fractional digits and, with the integer part fixed, the fewest
// significant digits: the shortest form, which is unique.
//
// Where |f|·10^4 is below 2^50 one test at maxShortFloatDigits digits
// decides: if some k ≤ 4 reads back, so does 4, with m4 = m·10^(4-k) (the
// two are the same rational number), and the shortest form is then m4
// without its trailing zeros; if 4 does not read back, no k ≤ 4 does.
func appendShortFloat(dst []byte, f float64) ([]byte, bool) {
	abs := math.Abs(f)
	if !(abs >= 1e-6 && abs < 1<<50) { // false for NaN too
		return dst, false
	}
	if scaled := abs * 1e4; scaled < 1<<50 {
		m := math.RoundToEven(scaled)
		if m/1e4 != abs {
			return dst, false
		}
		if f < 0 {
			dst = append(dst, '-')
		}
		u := uint64(m)
		ip, fp := u/10000, u%10000
		if fp == 0 {
			return appendInt(dst, int64(ip)), true
		}
		k := 4
		if fp%100 == 0 {
			fp, k = fp/100, 2
		}
		if fp%10 == 0 {
			fp, k = fp/10, k-1
		}
		if out, ok := appendSmallFixed(dst, ip, fp, k); ok {
			return out, true
		}
		return appendFixed(dst, ip*pow10[k]+fp, k), true
	}
	p := 1.0
	for k := 0; k <= maxShortFloatDigits; k++ {
		scaled := abs * p
		if scaled >= 1<<50 {
			return dst, false
		}
		m := math.RoundToEven(scaled)
		if m/p == abs {
			if f < 0 {
				dst = append(dst, '-')
			}
			return appendFixed(dst, uint64(m), k), true
		}
		p *= 10
	}
	return dst, false
}

// appendFixed writes m/10^k (k at most maxShortFloatDigits) with exactly
// k fractional digits; the divisors are constants, which compile to
// multiplications.
func appendFixed(dst []byte, m uint64, k int) []byte {
	if k == 0 {
		return appendInt(dst, int64(m))
	}
	ipart, fpart := splitScale(m, k)
	if out, ok := appendSmallFixed(dst, ipart, fpart, k); ok {
		return out
	}
	dst = appendInt(dst, int64(ipart))
	var buf [maxShortFloatDigits + 1]byte
	buf[0] = '.'
	for i := k; i > 0; i-- {
		buf[i] = byte('0' + fpart%10)
		fpart /= 10
	}
	return append(dst, buf[:k+1]...)
}

// splitScale splits m into its integer and fractional parts at k (1 to 4)
// decimal digits; the divisors are constants in each branch, which compile
// to multiplications.
func splitScale(m uint64, k int) (ip, fp uint64) {
	switch k {
	case 1:
		return m / 10, m % 10
	case 2:
		return m / 100, m % 100
	case 3:
		return m / 1000, m % 1000
	}
	return m / 10000, m % 10000
}

// appendSmallFixed writes ip.fp, fp with exactly k digits (1 to 4), in
// place and without a loop, when ip is below 10,000 (prices, quantities,
// amounts) and dst has room for 16 more bytes; ok is false, and nothing
// written, otherwise.
func appendSmallFixed(dst []byte, ip, fp uint64, k int) ([]byte, bool) {
	l := len(dst)
	if ip >= 10000 || k < 1 || k > 4 || cap(dst)-l < 16 {
		return dst, false
	}
	w := dst[l : l+16]
	n := 0
	switch {
	case ip < 10:
		w[0] = byte('0' + ip)
		n = 1
	case ip < 100:
		put2(w, int(ip))
		n = 2
	case ip < 1000:
		w[0] = byte('0' + ip/100)
		put2(w[1:], int(ip%100))
		n = 3
	default:
		put2(w, int(ip/100))
		put2(w[2:], int(ip%100))
		n = 4
	}
	w[n] = '.'
	f := w[n+1 : n+5]
	switch k {
	case 1:
		f[0] = byte('0' + fp)
	case 2:
		put2(f, int(fp))
	case 3:
		f[0] = byte('0' + fp/100)
		put2(f[1:], int(fp%100))
	default:
		put2(f, int(fp/100))
		put2(f[2:], int(fp%100))
	}
	return dst[:l+n+1+k], true
}

const (
	layoutDate = "2006-01-02"
	secsPerDay = 86400
)

// appendDate writes days since the epoch as "YYYY-MM-DD", or as the number
// when the year is outside 0–9999.
func appendDate(dst []byte, days int32, dates *dateCache) []byte {
	y, m, d, ok := dates.civil(int64(days))
	if !ok {
		return strconv.AppendInt(dst, int64(days), 10)
	}
	dst = append(dst, '"')
	dst = appendYMD(dst, y, m, d)
	return append(dst, '"')
}

// appendTimestamp writes v (milliseconds or microseconds since the epoch) as
// RFC 3339 with digits fractional digits, in UTC with "Z" when zoned, or as
// the number when the year is outside 0–9999. It writes what
// time.Time.AppendFormat writes, without parsing a layout per value.
func appendTimestamp(dst []byte, v int64, digits int, zoned bool, dates *dateCache) []byte {
	// The units are constants in each branch: a division by a variable
	// is a hardware divide, several times the cost of the multiply a
	// constant divisor compiles to.
	var secs, frac int64
	if digits == 6 {
		secs, frac = v/1000000, v%1000000
		if frac < 0 {
			secs, frac = secs-1, frac+1000000
		}
	} else {
		secs, frac = v/1000, v%1000
		if frac < 0 {
			secs, frac = secs-1, frac+1000
		}
	}
	mins, sec := secs/60, int(secs%60)
	if sec < 0 {
		mins, sec = mins-1, sec+60
	}
	// "YYYY-MM-DDTHH:MM:SS.fff[fff][Z]": at most 29 bytes, written in
	// place; the part up to the minute (`"YYYY-MM-DDTHH:MM`) comes from
	// the cache when the last timestamp was of the same minute.
	l := len(dst)
	dst = slices.Grow(dst, 32)
	w := dst[l : l+32]
	if !dates.minute(mins, w) {
		days, mod := mins/(24*60), int(mins%(24*60))
		if mod < 0 {
			days, mod = days-1, mod+24*60
		}
		y, m, d, ok := dates.civil(days)
		if !ok {
			return strconv.AppendInt(dst, v, 10)
		}
		w[0] = '"'
		putYMD(w[1:11], y, m, d)
		w[11] = 'T'
		put2(w[12:], mod/60)
		w[14] = ':'
		put2(w[15:], mod%60)
		dates.rememberMinute(mins, w)
	}
	w[17] = ':'
	put2(w[18:], sec)
	w[20] = '.'
	n := 21
	if digits == 3 {
		f := int(frac)
		w[21] = byte('0' + f/100)
		put2(w[22:], f%100)
		n = 24
	} else {
		f := int(frac)
		put2(w[21:], f/10000)
		put2(w[23:], f/100%100)
		put2(w[25:], f%100)
		n = 27
	}
	if zoned {
		w[n] = 'Z'
		n++
	}
	w[n] = '"'
	return dst[:l+n+1]
}

// digitPairs holds the two decimal digits of 0–99 at 2i, 2i+1.
const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// put2 writes v (0–99) as two digits at w[0], w[1].
func put2(w []byte, v int) {
	_ = w[1]
	w[0], w[1] = digitPairs[2*v], digitPairs[2*v+1]
}

// putYMD writes a date with a year in 0–9999 as YYYY-MM-DD in w[0:10].
func putYMD(w []byte, y, m, d int) {
	_ = w[9]
	put2(w[0:], y/100)
	put2(w[2:], y%100)
	w[4] = '-'
	put2(w[5:], m)
	w[7] = '-'
	put2(w[8:], d)
}

// appendInt is strconv.AppendInt(dst, v, 10), with the small numbers of
// most records (counts, quantities, codes) written without a call.
func appendInt(dst []byte, v int64) []byte {
	if uint64(v) < 10 {
		return append(dst, byte('0'+v))
	}
	if uint64(v) < 100 {
		return append(dst, digitPairs[2*v], digitPairs[2*v+1])
	}
	return strconv.AppendInt(dst, v, 10)
}

// Days since 1970-01-01 of 0000-01-01 and 10000-01-01: the readable forms
// cover the years 0–9999.
const (
	dayYear0     = -719528
	dayYear10000 = 2932897
)

// civilDate returns the proleptic Gregorian date of days since 1970-01-01
// (Howard Hinnant's civil_from_days), and ok false when the year is
// outside 0–9999.
func civilDate(days int64) (year, month, day int, ok bool) {
	if days < dayYear0 || days >= dayYear10000 {
		return 0, 0, 0, false
	}
	// Counted from 0000-03-01 minus one 400-year era, so that everything
	// is positive and the divisions are unsigned.
	z := uint64(days + 719468 + 146097)
	era := z / 146097
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11], from March
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if mp >= 10 {
		month = int(mp - 9)
	}
	year = int(yoe+era*400) - 400
	if month <= 2 {
		year++
	}
	return year, month, day, true
}

// dateCache remembers the civil date of the last day a plan step
// rendered: the records of a topic tend to carry timestamps of the same
// day, and the date costs more than the rest of a timestamp. It is shared
// by the goroutines rendering with one plan, so the day and its date are
// packed into one word: bit 63 set when valid, the day (offset to be
// positive) in bits 0–31, the year in 32–45, the month in 46–49 and the
// day of the month in 50–54.
//
// It also keeps the text of the last minute a timestamp step rendered, up
// to the minute (`"YYYY-MM-DDTHH:MM`, 17 bytes in three words), behind a
// sequence number (a seqlock): a reader takes the words only when the
// number is even and unchanged across its reads, and a writer claims an
// odd number first (a writer that finds it claimed does not wait).
type dateCache struct {
	last atomic.Uint64
	seq  atomic.Uint64
	// key is the minute (since the epoch) shifted left once, with bit 0
	// set: 0 for none.
	key        atomic.Uint64
	w0, w1, w2 atomic.Uint64
}

// minute writes the cached text of minute (17 bytes) at w[0:24] and
// reports true, or reports false when the cache holds another minute (c
// may be nil).
func (c *dateCache) minute(minute int64, w []byte) bool {
	if c == nil {
		return false
	}
	s := c.seq.Load()
	k, w0, w1, w2 := c.key.Load(), c.w0.Load(), c.w1.Load(), c.w2.Load()
	if s&1 != 0 || k != uint64(minute)<<1|1 || c.seq.Load() != s {
		return false
	}
	_ = w[23]
	binary.LittleEndian.PutUint64(w[0:], w0)
	binary.LittleEndian.PutUint64(w[8:], w1)
	binary.LittleEndian.PutUint64(w[16:], w2)
	return true
}

// rememberMinute caches w[0:17], the text of minute, unless another
// goroutine is writing the cache.
func (c *dateCache) rememberMinute(minute int64, w []byte) {
	if c == nil {
		return
	}
	s := c.seq.Load()
	if s&1 != 0 || !c.seq.CompareAndSwap(s, s+1) {
		return
	}
	var b [24]byte
	copy(b[:], w[:17])
	c.key.Store(uint64(minute)<<1 | 1)
	c.w0.Store(binary.LittleEndian.Uint64(b[0:]))
	c.w1.Store(binary.LittleEndian.Uint64(b[8:]))
	c.w2.Store(binary.LittleEndian.Uint64(b[16:]))
	c.seq.Store(s + 2)
}

// civil is civilDate(days) through the cache (c may be nil).
func (c *dateCache) civil(days int64) (year, month, day int, ok bool) {
	key := uint64(days - dayYear0)
	if c != nil {
		if w := c.last.Load(); w>>63 == 1 && w&0xffffffff == key {
			return int(w >> 32 & 0x3fff), int(w >> 46 & 0xf), int(w >> 50 & 0x1f), true
		}
	}
	year, month, day, ok = civilDate(days)
	if ok && c != nil {
		c.last.Store(1<<63 | uint64(day)<<50 | uint64(month)<<46 | uint64(year)<<32 | key)
	}
	return year, month, day, ok
}

// appendYMD writes a date with a year in 0–9999 as YYYY-MM-DD.
func appendYMD(dst []byte, y, m, d int) []byte {
	l := len(dst)
	dst = slices.Grow(dst, 10)[:l+10]
	putYMD(dst[l:], y, m, d)
	return dst
}

// appendTimeOfDay writes v (milliseconds or microseconds after midnight) as
// HH:MM:SS with digits fractional digits.
func appendTimeOfDay(dst []byte, v int64, digits int) []byte {
	unit := int64(1000)
	if digits == 6 {
		unit = 1000000
	}
	if v < 0 || v >= secsPerDay*unit {
		return strconv.AppendInt(dst, v, 10)
	}
	secs, frac := v/unit, v%unit
	dst = append(dst, '"')
	dst = appendPadded(dst, secs/3600, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, secs/60%60, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, secs%60, 2)
	dst = append(dst, '.')
	dst = appendPadded(dst, frac, digits)
	return append(dst, '"')
}

func appendPadded(dst []byte, v int64, width int) []byte {
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], v, 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// decimalUnscaled reads a two's-complement big-endian integer.
func decimalUnscaled(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}

func appendUUID(dst, b []byte) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return append(dst, '"')
}

// smallUnscaled reads the two's-complement big-endian integer b as a sign
// and magnitude when it fits in 64 bits.
func smallUnscaled(b []byte) (u uint64, neg bool, ok bool) {
	if len(b) == 0 {
		return 0, false, true
	}
	neg = b[0]&0x80 != 0
	if len(b) > 8 {
		// Only sign extension may precede the last 8 bytes.
		ext := byte(0)
		if neg {
			ext = 0xff
		}
		for _, c := range b[:len(b)-8] {
			if c != ext {
				return 0, false, false
			}
		}
		if (b[len(b)-8]&0x80 != 0) != neg {
			return 0, false, false
		}
		b = b[len(b)-8:]
	}
	var v uint64
	if neg {
		v = math.MaxUint64
	}
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	if neg {
		v = -v // the magnitude; 1<<63 for the smallest int64
	}
	return v, neg, true
}

// appendScaled writes the magnitude digits with scale as a JSON number with
// exactly scale fractional digits.
func appendScaled(dst []byte, neg bool, digits []byte, scale int) []byte {
	if neg {
		dst = append(dst, '-')
	}
	if scale <= 0 {
		dst = append(dst, digits...)
		for i := 0; i < -scale; i++ {
			dst = append(dst, '0')
		}
		return dst
	}
	if len(digits) <= scale {
		dst = append(dst, '0', '.')
		for i := len(digits); i < scale; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-scale]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-scale:]...)
}
