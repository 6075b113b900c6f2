package models

// Event names that record facts outside the state machine (they move no
// status, so they are not in Actions): creation, "me too", a photo sent
// after 办结, a meeting's decision, a project's outcome on a linked appeal and
// the author's message about their open appeal (留言).
const (
	ActSubmit          Action = "submit"           // the resident raised the appeal (its first event)
	ActFollow          Action = "follow"           // another resident said "me too" (附议)
	ActAttachment      Action = "attachment"       // a photo attached to the resolution: "<MediaId> <PicUrl>"
	ActMeetingDecision Action = "meeting_decision" // a meeting on the appeal decided (its decision as the reason)
	ActProjectOutcome  Action = "project_outcome"  // a project answering the appeal was completed
	ActNote            Action = "note"             // the author's message about their open appeal (留言), passed to its handler
)

// EventActions is every action an appeal event can record: the lifecycle's
// and the facts above. Every one needs a label wherever events are shown.
var EventActions = append(append([]Action(nil), Actions...), ActSubmit, ActFollow, ActAttachment,
	ActMeetingDecision, ActProjectOutcome, ActNote)

// The reasons the system writes on events it records itself, in English on
// the record; the console says them in Chinese.
const (
	ReasonTimeLimitF = "time limit of the %s level" // level: a new level's time limit runs from now
	// ReasonMatterLimit: a reclassified appeal's matter has a time limit of
	// its own (a catalog item's), which runs from now.
	ReasonMatterLimit = "time limit of the matter"
	ReasonOverdueF    = "overdue since %s: %s → %s" // due (local "2006-01-02 15:04"), level, next level
	ReasonUnratedF    = "no rating within %v"       // the window (a time.Duration)
	ReasonEnquiryF    = "enquiry/%s"                // the catalog item answered (submit of an enquiry)
)
