package jobs

import (
	"encoding/json"
	"strings"

	"github.com/gongzhi/gongzhi/bot/messages"
)

// fieldLimit is the longest value WeChat accepts for a template keyword of
// this kind (2023 template rules: thing ≤ 20, character_string ≤ 32,
// phrase ≤ 5, name ≤ 10; other short kinds ≤ 20).
func fieldLimit(key string) int {
	kind := strings.TrimRight(key, "0123456789")
	switch kind {
	case "character_string", "number", "letter", "amount":
		return 32
	case "phrase":
		return 5
	case "name":
		return 10
	case "phone_number":
		return 17
	case "car_number":
		return 8
	}
	return 20
}

// templateData turns a push's stored data into template keywords under the
// 2023 rules: no "first" or "remark" lines (dropped), values cut to their
// kind's limit, never empty. Without data the text goes in thing1.
func templateData(data, text string) map[string]string {
	out := map[string]string{}
	if data != "" {
		var m map[string]string
		if err := json.Unmarshal([]byte(data), &m); err == nil {
			for k, v := range m {
				if k == "first" || k == "remark" || strings.TrimSpace(v) == "" {
					continue
				}
				out[k] = messages.Clip(strings.TrimSpace(v), fieldLimit(k))
			}
		}
	}
	if len(out) == 0 {
		out["thing1"] = messages.Clip(strings.TrimSpace(text), fieldLimit("thing1"))
	}
	return out
}

// encodeData is the JSON stored in OutboxMessage.Data.
func encodeData(m map[string]string) string {
	b, _ := json.Marshal(m) // a map of strings always encodes
	return string(b)
}
