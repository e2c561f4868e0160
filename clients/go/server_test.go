// Test harness: the real diskdb binary on a free loopback port with a fresh data
// directory (and a Unix socket), ready when INFO names our process.

package client

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serverBinary is DISKDB_BIN, else the prebuilt client-test binary, else the release
// build in CARGO_TARGET_DIR (~/.cache/diskdb/target).
func serverBinary() string {
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

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type testServer struct {
	dir   string
	port  int
	sock  string
	extra []string
	pass  string // --requirepass, for the readiness check
	cmd   *exec.Cmd
	exit  chan error
}

func (s *testServer) addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

func newServer(extra ...string) (*testServer, error) {
	dir, err := os.MkdirTemp("", "diskdb-go-")
	if err != nil {
		return nil, err
	}
	s := &testServer{dir: dir, port: freePort(), sock: filepath.Join(dir, "diskdb.sock"), extra: extra}
	for i, a := range extra {
		if a == "--requirepass" && i+1 < len(extra) {
			s.pass = extra[i+1]
		}
	}
	return s, s.start()
}

func (s *testServer) start() error {
	args := []string{"--port", strconv.Itoa(s.port), "--dir", filepath.Join(s.dir, "data"),
		"--unixsocket", s.sock, "--loglevel", "warning"}
	s.cmd = exec.Command(serverBinary(), append(args, s.extra...)...)
	s.cmd.Stdout = nil
	log, err := os.Create(filepath.Join(s.dir, "server.log"))
	if err != nil {
		return err
	}
	s.cmd.Stderr = log
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %v", serverBinary(), err)
	}
	s.exit = make(chan error, 1)
	go func() { s.exit <- s.cmd.Wait(); log.Close() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.exit:
			out, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
			return fmt.Errorf("diskdb exited (%v): %s", err, out)
		default:
		}
		if pid, err := s.pid(); err == nil {
			if pid != s.cmd.Process.Pid {
				return fmt.Errorf("port %d is held by another server", s.port)
			}
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("diskdb did not become ready")
}

// pid asks the server on our port for its process_id.
func (s *testServer) pid() (int, error) {
	db, err := ConnectWith(Options{Addr: s.addr(), Password: s.pass, DialTimeout: time.Second, ReadTimeout: 2 * time.Second})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	v, err := db.Do("INFO", "server")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(v.(string), "\n") {
		if strings.HasPrefix(line, "process_id:") {
			return strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "process_id:")))
		}
	}
	return 0, fmt.Errorf("no process_id")
}

func (s *testServer) stop() error {
	if s.cmd == nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.exit:
		s.cmd = nil
		return err
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		<-s.exit
		s.cmd = nil
		return fmt.Errorf("diskdb did not stop on SIGTERM")
	}
}

func (s *testServer) restart() error {
	if err := s.stop(); err != nil {
		return err
	}
	return s.start()
}

func (s *testServer) cleanup() {
	s.stop()
	os.RemoveAll(s.dir)
}

// shared is the server most tests use; each test works on its own keys or database.
var shared *testServer

func TestMain(m *testing.M) {
	var err error
	shared, err = newServer()
	if err != nil {
		fmt.Fprintln(os.Stderr, "test server:", err)
		os.Exit(1)
	}
	code := m.Run()
	shared.cleanup()
	os.Exit(code)
}

// connect returns a client on database db of the shared server, flushed first.
func connect(t *testing.T, db int) *DB {
	t.Helper()
	c, err := ConnectWith(Options{Addr: shared.addr(), DB: db})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.FlushDB(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func eq[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func isErr(t *testing.T, err, want error) {
	t.Helper()
	if err != want {
		t.Fatalf("got error %v, want %v", err, want)
	}
}
