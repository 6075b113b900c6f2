package models

// Event names that record facts outside the state machine (they move no
// status, so they are not in Actions): creation, "me too" and a photo sent
// after 办结.
const (
	ActSubmit     Action = "submit"     // the resident raised the appeal (its first event)
	ActFollow     Action = "follow"     // another resident said "me too" (附议)
	ActAttachment Action = "attachment" // a photo attached to the resolution: "<MediaId> <PicUrl>"
)
