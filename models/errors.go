package models

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in handlers and to one safe message.
const (
	EINVALID   = "invalid"   // the input is wrong; the message says how
	ENOTFOUND  = "not_found" // no such thing
	ECONFLICT  = "conflict"  // it exists already, or the state does not allow it
	EFORBIDDEN = "forbidden" // this actor may not do this
	EINTERNAL  = "internal"  // our fault; details are logged, not shown
)

// Error is a domain error with a code and a message that is safe to show.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with code and a formatted, user-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of err; internal errors get a
// generic text so that SQL or stack details never reach a user.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrDuplicate is returned by Store.CommitTurn when the turn's dedupe key was
// committed already (a WeChat retry, possibly on another replica).
var ErrDuplicate = &Error{Code: ECONFLICT, Message: "message already processed"}
