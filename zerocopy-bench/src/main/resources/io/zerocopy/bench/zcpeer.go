// zcpeer.go: the Go reference peer of zerocopy-bench. One process moves one payload with Go's
// io.Copy, as a Go program would, and prints its own timing and CPU, so the Java harness can put
// what Go's runtime chooses (copy_file_range, sendfile, splice) beside the library's rows on the
// same files, ports and sinks. It mirrors zcpeer.c, with one method: iocopy.
//
//	zcpeer-go fs iocopy <file> <bytes> <sink>
//	zcpeer-go ss iocopy <feeder> <sink> <bytes>
//	zcpeer-go ff iocopy <src> <dst> <bytes>
//	zcpeer-go nf iocopy <src> <dst>
//
// A socket peer is <host>:<port> (such as 10.213.1.2:40123, the far end of a veth pair), or a
// bare <port> on 127.0.0.1, as zcpeer.c takes it.
// fs: connect to the sink, io.CopyN(conn, file, bytes), shut down the write side.
// ss: connect to the feeder and the sink, write one "go" byte to the feeder,
// io.Copy(sink, feeder) until the feeder's end of stream, shut down the sink's side.
// ff: overwrite <dst> (opened without truncation, from offset 0) with io.CopyN(dst, src, bytes).
// nf: copy all of <src> to a new file <dst> (which must not exist): open the source, create the
// target, io.Copy(dst, src), close both; the window includes the opens and closes, as that of
// Files.copy does.
//
// Output, one line on stdout:  ok <t0> <t1> <bytes> <user_ns> <sys_ns>
// t0/t1 are CLOCK_MONOTONIC nanoseconds (the clock behind Java's System.nanoTime on Linux)
// taken just before the first byte moves (nf: before the source is opened) and after the last
// call returns; user/sys are this process's CPU between t0 and t1 (getrusage, RUSAGE_SELF: all
// of the runtime's threads). On failure: "err <message>" on stdout and exit status 1;
// "unsupported" exits 2.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// monotonicNs reads CLOCK_MONOTONIC itself: Go's time.Now keeps a monotonic reading but does
// not expose its absolute value, which the harness needs to close a window on its own clock.
func monotonicNs() int64 {
	var ts syscall.Timespec
	const clockMonotonic = 1
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		die("clock_gettime", e)
	}
	return ts.Nano()
}

func cpuNs() (user, sys int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		die("getrusage", err)
	}
	return ru.Utime.Nano(), ru.Stime.Nano()
}

func die(what string, err error) {
	fmt.Printf("err %s: %v\n", what, err)
	os.Exit(1)
}

func unsupported(format string, args ...interface{}) {
	fmt.Printf("unsupported "+format+"\n", args...)
	os.Exit(2)
}

func number(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		die("number "+s, err)
	}
	return n
}

// connect dials endpoint, <host>:<port> or a bare <port> on 127.0.0.1; Go sets TCP_NODELAY on
// TCP connections by default, as the Java, Netty and C rows do.
func connect(endpoint string) *net.TCPConn {
	if !strings.Contains(endpoint, ":") {
		endpoint = net.JoinHostPort("127.0.0.1", endpoint)
	}
	c, err := net.Dial("tcp", endpoint)
	if err != nil {
		die("connect", err)
	}
	return c.(*net.TCPConn)
}

func main() {
	if len(os.Args) < 5 {
		fmt.Fprintln(os.Stderr, "usage: zcpeer-go fs|ss|ff|nf iocopy <a> <b> [<c>]")
		os.Exit(64)
	}
	scenario, method := os.Args[1], os.Args[2]
	if method != "iocopy" {
		unsupported("%s %s", scenario, method)
	}
	var moved int64
	var err error
	var t0, t1, u0, s0 int64
	start := func() {
		u0, s0 = cpuNs()
		t0 = monotonicNs()
	}
	switch {
	case scenario == "fs" && len(os.Args) == 6:
		in, e := os.Open(os.Args[3])
		if e != nil {
			die("open source", e)
		}
		out := connect(os.Args[5])
		start()
		moved, err = io.CopyN(out, in, number(os.Args[4]))
		if err == nil {
			err = out.CloseWrite()
		}
		t1 = monotonicNs()
	case scenario == "ss" && len(os.Args) == 6:
		in := connect(os.Args[3])
		out := connect(os.Args[4])
		start()
		if _, e := in.Write([]byte("g")); e != nil {
			die("write go byte", e)
		}
		moved, err = io.Copy(out, in)
		if err == nil {
			err = out.CloseWrite()
		}
		t1 = monotonicNs()
	case scenario == "ff" && len(os.Args) == 6:
		in, e := os.Open(os.Args[3])
		if e != nil {
			die("open source", e)
		}
		out, e := os.OpenFile(os.Args[4], os.O_WRONLY, 0)
		if e != nil {
			die("open target", e)
		}
		start()
		moved, err = io.CopyN(out, in, number(os.Args[5]))
		t1 = monotonicNs()
	case scenario == "nf" && len(os.Args) == 5:
		start()
		moved, err = copyToNewFile(os.Args[3], os.Args[4])
		t1 = monotonicNs()
	default:
		unsupported("%s with %d arguments", scenario, len(os.Args)-1)
	}
	if err != nil {
		die(scenario+" io.Copy", err)
	}
	u1, s1 := cpuNs()
	fmt.Printf("ok %d %d %d %d %d\n", t0, t1, moved, u1-u0, s1-s0)
}

// copyToNewFile is what a Go program does to copy a file: open, create, io.Copy, close.
func copyToNewFile(src, dst string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}
