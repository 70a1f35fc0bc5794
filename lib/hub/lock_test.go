package hub_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polarityml/polarity/lib/hub"
	"github.com/polarityml/polarity/lib/hub/hubtest"
)

// downloadChild is set in the environment of the test binary re-run as a
// separate process that downloads one file (see runDownloadChild).
const downloadChild = "POLARITY_HUB_DOWNLOAD_CHILD"

// TestDownloadChild is the body of a child process, not a test.
func TestDownloadChild(t *testing.T) {
	spec := os.Getenv(downloadChild)
	if spec == "" {
		t.Skip("runs only as a child process of TestKilledDownloadResumesUnderTheLock")
	}
	parts := strings.Split(spec, "|") // endpoint|cache|path
	c := &hub.Client{Endpoint: parts[0], CacheDir: parts[1], Retries: 2, Backoff: time.Millisecond, HTTP: &http.Client{}}
	p, err := c.Download(context.Background(), parquetFile(parts[2]))
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(3)
	}
	fmt.Println("PATH", p)
	os.Exit(0)
}

func downloadProcess(t *testing.T, h *hubtest.Hub, cache, path string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestDownloadChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), downloadChild+"="+h.URL+"|"+cache+"|"+path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// A download killed half-way leaves its .incomplete file; two processes then
// download the same file at once. The lock Python takes
// (.locks/<repo folder>/<etag>.lock) lets one resume the partial file while
// the other waits and finds the finished blob: one correct blob, and only one
// GET after the restart.
func TestKilledDownloadResumesUnderTheLock(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	data := payload(1 << 20)
	const name = "default/train/0000.parquet"
	h := newHub(t, hub.ParquetRevision, map[string][]byte{name: data})
	h.Throttle(16<<10, 10*time.Millisecond) // ~0.7 s for the whole file
	cache := t.TempDir()
	sum := hubtest.SHA256(data)
	repo := filepath.Join(cache, "datasets--mteb--amazon_polarity")
	partial := filepath.Join(repo, "blobs", sum+".incomplete")

	first, _ := downloadProcess(t, h, cache, name)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if fi, err := os.Stat(partial); err == nil && fi.Size() >= 64<<10 {
			break
		}
		if time.Now().After(deadline) {
			first.Process.Kill()
			t.Fatal("the first download never started")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	fi, err := os.Stat(partial)
	if err != nil || fi.Size() >= int64(len(data)) {
		t.Fatalf("after the kill: %v, %v; want a partial file", fi, err)
	}
	killedAt := fi.Size()
	before := len(requests(h, cdnGets))

	var wg sync.WaitGroup
	outs := make([]*bytes.Buffer, 2)
	errs := make([]error, 2)
	for i := range outs {
		cmd, out := downloadProcess(t, h, cache, name)
		outs[i] = out
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = cmd.Wait() }()
	}
	wg.Wait()
	want := filepath.Join(repo, "snapshots", hubtest.Commit, "default", "train", "0000.parquet")
	for i, out := range outs {
		if errs[i] != nil || strings.TrimSpace(out.String()) != "PATH "+want {
			t.Errorf("download %d: %v\n%s", i, errs[i], out)
		}
	}
	if b, err := os.ReadFile(filepath.Join(repo, "blobs", sum)); err != nil || !bytes.Equal(b, data) {
		t.Errorf("the blob is missing or wrong: %v", err)
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Errorf("the .incomplete file is left: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cache, ".locks", "datasets--mteb--amazon_polarity", sum+".lock")); err != nil {
		t.Errorf("huggingface_hub's lock file was not used: %v", err)
	}
	gets := requests(h, cdnGets)[before:]
	var from int64 = -1
	if len(gets) == 1 {
		fmt.Sscanf(gets[0].Range, "bytes=%d-", &from)
	}
	if len(gets) != 1 || from < killedAt {
		t.Errorf("GETs after the restart %v; want one, resuming at byte %d or later", gets, killedAt)
	}
}

// holdLock is Python taking the lock as huggingface_hub does (filelock's
// FileLock on the same path), until its standard input closes.
const holdLock = `import filelock, sys
lock = filelock.FileLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
sys.stdin.read()
lock.release()
`

// While Python's filelock holds .locks/<repo folder>/<etag>.lock, a Go
// download of that blob waits (and says so), then proceeds.
func TestDownloadWaitsForPythonsFilelock(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import filelock").Run(); err != nil {
		t.Skipf("Python's filelock is not installed (apt-get install python3-filelock): %v", err)
	}
	data := payload(50_000)
	const name = "default/train/0000.parquet"
	h := newHub(t, hub.ParquetRevision, map[string][]byte{name: data})
	c := client(t, h)
	var notices bytes.Buffer
	c.Notices = &notices
	lockPath := filepath.Join(c.CacheDir, ".locks", "datasets--mteb--amazon_polarity", hubtest.SHA256(data)+".lock")
	if err := os.MkdirAll(filepath.Dir(lockPath), 0o755); err != nil {
		t.Fatal(err)
	}
	py := exec.Command(python, "-c", holdLock, lockPath)
	stdin, err := py.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := py.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := py.Start(); err != nil {
		t.Fatal(err)
	}
	defer py.Wait()
	defer stdin.Close()
	line := make([]byte, 7)
	if _, err := io.ReadFull(stdout, line); err != nil || string(line) != "locked\n" {
		t.Fatalf("python: %q, %v", line, err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Download(context.Background(), parquetFile(name))
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the download did not wait for Python's lock: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if n := len(requests(h, cdnGets)); n != 0 {
		t.Errorf("%d GETs while Python held the lock", n)
	}
	stdin.Close() // Python releases the lock
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(notices.String(), "waiting for another process") {
		t.Errorf("notices %q: the wait was not said", notices.String())
	}
}
