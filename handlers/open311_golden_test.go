package handlers_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// changesetRe finds the changeset of discovery in JSON and in XML.
var changesetRe = regexp.MustCompile(`("changeset":"|<changeset>)[0-9TZ:+-]+("|</changeset>)`)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/open311/golden")

// TestOpen311Golden pins Open311's exact answers, JSON and XML, over the
// scripted list on both databases. A change of shape shows as a diff of
// testdata/open311/golden; accept it with
// go test ./handlers -run TestOpen311Golden -update.
func TestOpen311Golden(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		db.Now = func() time.Time { return e.now } // rows stamped by the env's clock, not the day the test runs
		ap := scriptedList(e)
		B := ap["B"].Ref
		for _, g := range []struct {
			file, path string
			status     int
		}{
			{"discovery.json", "/open311/v2/discovery.json", 200},
			{"discovery.xml", "/open311/v2/discovery.xml", 200},
			{"services.json", "/open311/v2/services.json", 200},
			{"services.xml", "/open311/v2/services.xml", 200},
			{"service-corridor-light.json", "/open311/v2/services/corridor-light.json", 200},
			{"service-corridor-light.xml", "/open311/v2/services/corridor-light.xml", 200},
			{"requests.json", "/open311/v2/requests.json", 200},
			{"requests.xml", "/open311/v2/requests.xml", 200},
			{"request-one.json", "/open311/v2/requests/" + B + ".json", 200},
			{"request-one.xml", "/open311/v2/requests/" + B + ".xml", 200},
			{"error-not-found.json", "/open311/v2/services/nope.json", 404},
			{"error-not-found.xml", "/open311/v2/services/nope.xml", 404},
			{"error-bad-status.json", "/open311/v2/requests.json?status=pending", 400},
			{"error-bad-status.xml", "/open311/v2/requests.xml?status=pending", 400},
		} {
			t.Run(g.file, func(t *testing.T) {
				code, body := e.call("GET", g.path, "none", nil)
				if code != g.status {
					t.Fatalf("GET %s = %d %s; want %d", g.path, code, body, g.status)
				}
				// The test server's address and the process's start (the
				// catalog's changeset) change with every run.
				body = bytes.ReplaceAll(body, []byte(e.srv.URL), []byte("http://gongzhi.test"))
				body = changesetRe.ReplaceAll(body, []byte("${1}CHANGESET${2}"))
				path := filepath.Join("testdata", "open311", "golden", g.file)
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, body, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to write it)", err)
				}
				if !bytes.Equal(body, want) {
					t.Errorf("GET %s differs from %s:\ngot:  %s\nwant: %s", g.path, path, body, want)
				}
			})
		}
	})
}
