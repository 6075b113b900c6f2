package bot

import "github.com/gongzhi/gongzhi/bot/messages"

// MenuButton is one button of the official account's custom menu: a click
// button with Key, or a group of Sub buttons.
type MenuButton struct {
	Name string
	Key  string
	Sub  []MenuButton
}

// Menu is the custom menu of contract.md. WeChat allows three top-level
// buttons, so MEETINGS and HELP share a group.
func Menu(m messages.Messages) []MenuButton {
	return []MenuButton{
		{Name: m.MenuButtonAppeal, Key: KeyAppeal},
		{Name: m.MenuButtonMyAppeals, Key: KeyMyAppeals},
		{Name: m.MenuButtonMore, Sub: []MenuButton{
			{Name: m.MenuButtonMeetings, Key: KeyMeetings},
			{Name: m.MenuButtonHelp, Key: KeyHelp},
		}},
	}
}
