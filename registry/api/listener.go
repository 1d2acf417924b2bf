package api

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// listener is the listener Server.Serve serves on. It
//
//   - counts open connections and refuses those over max (0: no limit) with
//     a 503 in Confluent's error shape, written by a bounded number of
//     goroutines, instead of letting them pile up (net/http has no limit of
//     its own);
//   - wraps every connection so that the plain-text answers net/http
//     writes before a request reaches a handler (a request line, path
//     escape or header it cannot parse) go out as Confluent error bodies
//     too.
type listener struct {
	net.Listener
	max      int64
	open     atomic.Int64
	refusing atomic.Int64
	refused  atomic.Uint64
}

// How a connection over the limit is refused.
const (
	// maxRefusing bounds the goroutines answering refused connections;
	// beyond it a refused connection is closed without an answer.
	maxRefusing = 64
	// refuseTimeout bounds the time spent reading the refused request and
	// writing the answer.
	refuseTimeout = 2 * time.Second
)

func newListener(ln net.Listener, maxConns int) *listener {
	return &listener{Listener: ln, max: int64(maxConns)}
}

// Accept returns the next connection under the limit.
func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if n := l.open.Add(1); l.max > 0 && n > l.max {
			l.open.Add(-1)
			l.refused.Add(1)
			l.refuse(c)
			continue
		}
		return &conn{Conn: c, l: l}, nil
	}
}

// refuse answers the first request on c with 503 and closes it.
func (l *listener) refuse(c net.Conn) {
	if l.refusing.Add(1) > maxRefusing {
		l.refusing.Add(-1)
		c.Close()
		return
	}
	go func() {
		defer l.refusing.Add(-1)
		defer c.Close()
		c.SetDeadline(time.Now().Add(refuseTimeout))
		// Read the request head first: a client that is still sending
		// when the connection closes may get a reset instead of the answer.
		http.ReadRequest(bufio.NewReaderSize(c, 4096))
		msg := "Too many open connections: the limit is " + strconv.FormatInt(l.max, 10) + "; retry later"
		c.Write(rawResponse(http.StatusServiceUnavailable, "Retry-After: 1\r\n", errorBody(http.StatusServiceUnavailable, msg)))
		closeWriteAndDrain(c)
	}()
}

// closeWriteAndDrain ends the sending side and reads what the client still
// sends until it closes or the deadline passes, so the answer is not lost to
// a reset.
func closeWriteAndDrain(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	io.Copy(io.Discard, io.LimitReader(c, 1<<20))
}

// rawResponse is a complete HTTP/1.1 response that closes the connection.
func rawResponse(status int, extraHeaders string, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n")
	b.WriteString("Content-Type: " + ctV1 + "\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n" + extraHeaders + "\r\n")
	b.Write(body)
	return b.Bytes()
}

// conn is an accepted connection: it leaves the count once, and rewrites
// net/http's plain-text protocol errors.
type conn struct {
	net.Conn
	l      *listener
	closed atomic.Bool
}

func (c *conn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.l.open.Add(-1)
	}
	return c.Conn.Close()
}

// CloseWrite lets net/http half-close the connection as it would a
// *net.TCPConn.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *conn) Write(p []byte) (int, error) {
	if alt, ok := confluentProtocolError(p); ok {
		if _, err := c.Conn.Write(alt); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// netHTTPErrorHeaders are the headers net/http writes, in one Write of the
// whole response straight to the connection, when it answers a request it
// could not read (server.go, conn.serve): "HTTP/1.1 <status>" +
// netHTTPErrorHeaders + "<status>[: <reason>]". A response from a handler
// never matches: net/http writes its headers sorted (Connection before
// Content-Type) and adds Date.
const netHTTPErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// confluentProtocolError returns, for one of net/http's plain-text
// protocol error responses, the same status with the body
// {"error_code":<status>,"message":"HTTP <status> <text>[: <reason>]"}.
func confluentProtocolError(p []byte) ([]byte, bool) {
	const prefix = "HTTP/1.1 "
	if len(p) < len(prefix)+3 || (p[len(prefix)] != '4' && p[len(prefix)] != '5') || !bytes.HasPrefix(p, []byte(prefix)) {
		return nil, false
	}
	i := bytes.Index(p, []byte(netHTTPErrorHeaders))
	if i < 0 || bytes.IndexByte(p[:i], '\n') >= 0 {
		return nil, false
	}
	status, err := strconv.Atoi(string(p[len(prefix) : len(prefix)+3]))
	if err != nil {
		return nil, false
	}
	text := string(p[i+len(netHTTPErrorHeaders):])
	if status == http.StatusBadRequest && text == "400 Bad Request" {
		text += ": the request line, a URL escape or a header could not be parsed"
	}
	if status == http.StatusRequestHeaderFieldsTooLarge {
		text += ": the request's headers are larger than the server's limit"
	}
	return rawResponse(status, "", errorBody(status, "HTTP "+text)), true
}
