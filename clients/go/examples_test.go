// Builds every program under examples/ and runs it against the real server.

package client

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestExamples(t *testing.T) {
	bin := t.TempDir()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	build := exec.Command(goTool, "build", "-o", bin+string(os.PathSeparator), "./examples/...")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/...: %v\n%s", err, out)
	}
	want := map[string][]string{
		"session_store": {"session user=42 name=Alice cart_items=3 ttl_ok=true", "after logout exists=0"},
		"rate_limiter":  {"allowed=10 refused=5"},
		"task_queue":    {"processed=20 left=0 drained=2"},
		"leaderboard":   {"1. carol 3100", "2. bob 2800", "3. alice 2500", "alice rank=3"},
		"json_profiles": {"city=NYC interests=[go databases hiking] logins=1 type=json", "phone: none"},
		"event_stream":  {"event action=login", "event action=view", "event action=logout", "processed=3 pending=0"},
	}
	entries, err := os.ReadDir("examples")
	must(t, err)
	eq(t, len(entries), len(want))
	for _, e := range entries {
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			lines, ok := want[name]
			if !ok {
				t.Fatalf("no expected output for example %s", name)
			}
			db := connect(t, 0)
			_ = db
			cmd := exec.Command(filepath.Join(bin, name))
			cmd.Env = append(os.Environ(), "DISKDB_ADDR="+shared.addr())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, out)
			}
			for _, l := range lines {
				if !strings.Contains(string(out), l+"\n") {
					t.Fatalf("%s output lacks %q:\n%s", name, l, out)
				}
			}
		})
	}
}
