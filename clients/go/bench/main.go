// Benchmark: SET and GET ops/s over TCP and the Unix socket with this client and with
// a plain net.Conn baseline (hand-written RESP, one bufio reader) in the same run.
//
//	go run ./bench                 # starts DISKDB_BIN on a free port in a temp dir
//	go run ./bench -addr 127.0.0.1:6380 -unix /tmp/diskdb.sock -n 50000
//
// Each row is one goroutine doing sequential requests (latency-bound, as a redis-py
// loop); with -c N, N goroutines share the client's pool / open N baseline sockets.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"diskdb.dev/client"
)

var (
	addrFlag = flag.String("addr", "", "server host:port (default: start DISKDB_BIN)")
	unixFlag = flag.String("unix", "", "server Unix socket path")
	n        = flag.Int("n", 20000, "requests per row")
	conc     = flag.Int("c", 1, "concurrent goroutines")
	rounds   = flag.Int("rounds", 3, "rounds; the best of them is reported")
)

func binary() string {
	if b := os.Getenv("DISKDB_BIN"); b != "" {
		return b
	}
	home, _ := os.UserHomeDir()
	pre := filepath.Join(home, ".cache", "diskdb", "bin-clients", "diskdb")
	if _, err := os.Stat(pre); err == nil {
		return pre
	}
	target := os.Getenv("CARGO_TARGET_DIR")
	if target == "" {
		target = filepath.Join(home, ".cache", "diskdb", "target")
	}
	return filepath.Join(target, "release", "diskdb")
}

func startServer() (addr, sock string, stop func()) {
	dir, err := os.MkdirTemp("", "diskdb-gobench-")
	if err != nil {
		log.Fatal(err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	addr = "127.0.0.1:" + strconv.Itoa(port)
	sock = filepath.Join(dir, "diskdb.sock")
	cmd := exec.Command(binary(), "--port", strconv.Itoa(port), "--dir", filepath.Join(dir, "data"),
		"--unixsocket", sock, "--loglevel", "warning")
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		db, err := client.Connect(addr)
		if err == nil {
			db.Close()
			break
		}
		if time.Now().After(deadline) {
			log.Fatal("server did not start: ", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return addr, sock, func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		os.RemoveAll(dir)
	}
}

// rawConn is the baseline: a net.Conn, a reused write buffer, a bufio reader.
type rawConn struct {
	c   net.Conn
	r   *bufio.Reader
	buf []byte
}

func (rc *rawConn) cmd(args ...string) (string, error) {
	b := rc.buf[:0]
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	rc.buf = b
	if _, err := rc.c.Write(b); err != nil {
		return "", err
	}
	line, err := rc.r.ReadSlice('\n')
	if err != nil {
		return "", err
	}
	switch line[0] {
	case '+':
		return string(line[1 : len(line)-2]), nil
	case '$':
		size, _ := strconv.Atoi(string(line[1 : len(line)-2]))
		if size < 0 {
			return "", nil
		}
		data := make([]byte, size+2)
		if _, err := io.ReadFull(rc.r, data); err != nil {
			return "", err
		}
		return string(data[:size]), nil
	}
	return "", fmt.Errorf("reply %q", line)
}

func run(total int, fn func(i int) error) float64 {
	per := total / *conc
	var wg sync.WaitGroup
	start := time.Now()
	for g := 0; g < *conc; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < per; i++ {
				if err := fn(g*per + i); err != nil {
					log.Fatal(err)
				}
			}
		}(g)
	}
	wg.Wait()
	return float64(per**conc) / time.Since(start).Seconds()
}

func main() {
	flag.Parse()
	addr, sock := *addrFlag, *unixFlag
	if addr == "" {
		var stop func()
		addr, sock, stop = startServer()
		defer stop()
	}
	type transport struct{ name, network, addr string }
	transports := []transport{{"tcp", "tcp", addr}}
	if sock != "" {
		transports = append(transports, transport{"unix", "unix", sock})
	}
	value := "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" // 64 bytes
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "bench:" + strconv.Itoa(i)
	}
	fmt.Printf("SET/GET, %d requests per row, %d goroutine(s), best of %d rounds, 64-byte values\n\n", *n, *conc, *rounds)
	fmt.Printf("%-6s %-4s %14s %14s %8s\n", "via", "op", "client ops/s", "net.Conn ops/s", "ratio")
	for _, tr := range transports {
		db, err := client.ConnectWith(client.Options{Network: tr.network, Addr: tr.addr, PoolSize: *conc})
		if err != nil {
			log.Fatal(err)
		}
		raws := make([]*rawConn, *conc)
		for i := range raws {
			c, err := net.Dial(tr.network, tr.addr)
			if err != nil {
				log.Fatal(err)
			}
			raws[i] = &rawConn{c: c, r: bufio.NewReader(c)}
		}
		rawFor := func(i int) *rawConn { return raws[i/(*n / *conc)%len(raws)] }
		best := map[string]float64{}
		for r := 0; r < *rounds; r++ {
			for _, row := range []struct {
				name string
				fn   func(i int) error
			}{
				{"client SET", func(i int) error { return db.Set(keys[i%1000], value) }},
				{"raw SET", func(i int) error { _, err := rawFor(i).cmd("SET", keys[i%1000], value); return err }},
				{"client GET", func(i int) error { _, err := db.Get(keys[i%1000]); return err }},
				{"raw GET", func(i int) error { _, err := rawFor(i).cmd("GET", keys[i%1000]); return err }},
			} {
				if v := run(*n, row.fn); v > best[row.name] {
					best[row.name] = v
				}
			}
		}
		for _, op := range []string{"SET", "GET"} {
			c, b := best["client "+op], best["raw "+op]
			fmt.Printf("%-6s %-4s %14.0f %14.0f %8.2f\n", tr.name, op, c, b, c/b)
		}
		db.Close()
		for _, rc := range raws {
			rc.c.Close()
		}
	}
}
