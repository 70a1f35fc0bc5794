package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/bert/berttest"
	"github.com/polarityml/polarity/lib/hub/hubtest"
)

// TestEvalAndPredictTorchBinDistilBERTFromHub: eval and predict take a hub
// id of a DistilBERT classifier that has only pytorch_model.bin (SST-2's
// NEGATIVE/POSITIVE labels), download it from a fake hub and say how its
// classes were mapped.
func TestEvalAndPredictTorchBinDistilBERTFromHub(t *testing.T) {
	srv := hubtest.New(t)
	srv.AddRepo("acme/distilbert-sst2", berttest.DistilBinRepoFiles(t))
	env := []string{"HF_ENDPOINT=" + srv.URL, "HF_HUB_CACHE=" + t.TempDir(), "HF_HUB_OFFLINE=", "GOMLX_BACKEND=go"}
	stdout, stderr, code := runCLI(t, env, "eval", "--model", "acme/distilbert-sst2", "--max-len", "32", "--limit", "8", "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d\n%s", code, stderr)
	}
	var got struct {
		Examples     int     `json:"examples"`
		Accuracy     float64 `json:"accuracy"`
		LabelMapping string  `json:"label_mapping"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("eval --json: %v\n%s", err, stdout)
	}
	if got.Examples != 8 || got.LabelMapping != "by name: NEGATIVE → negative, POSITIVE → positive" {
		t.Errorf("eval: %+v", got)
	}
	stdout, stderr, code = runCLI(t, env, "predict", "--model", "acme/distilbert-sst2", "good movie")
	if code != 0 || !(strings.HasPrefix(stdout, "NEGATIVE") || strings.HasPrefix(stdout, "POSITIVE")) {
		t.Fatalf("predict: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
}
