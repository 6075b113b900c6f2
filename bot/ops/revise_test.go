package ops

import (
	"errors"
	"strings"
	"testing"
)

// TestReason: the one reason rule of every revision and meeting change:
// required, trimmed, at most 200 characters, refused (never clipped) beyond.
func TestReason(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, want string
		err            error
	}{
		{"empty", "", "", ErrReasonRequired},
		{"blank", " \t\n ", "", ErrReasonRequired},
		{"trimmed", "  属于社保，转街道 ", "属于社保，转街道", nil},
		{"200 characters", strings.Repeat("理", 200), strings.Repeat("理", 200), nil},
		{"201 characters", strings.Repeat("理", 201), "", ErrReasonTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Reason(tc.in)
			if got != tc.want || !errors.Is(err, tc.err) {
				t.Fatalf("Reason(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}
