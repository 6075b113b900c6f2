package wx

import (
	"fmt"
	"reflect"

	"github.com/silenceper/wechat/v2/officialaccount/menu"
)

// MenuButton is a click button (Key) or a group of buttons (Sub).
type MenuButton struct {
	Name string
	Key  string
	Sub  []MenuButton
}

// menuErrNone is WeChat's "menu no exist" code.
const menuErrNone = 46003

// SyncMenu makes the account's custom menu equal to want, idempotently: it
// reads the current menu and writes only when it differs. It reports
// whether it wrote.
func (a *Account) SyncMenu(want []MenuButton) (bool, error) {
	var cur menu.ResMenu
	err := a.withToken(func() error {
		var err error
		cur, err = a.menu.GetMenu()
		return err
	})
	if err != nil && ErrCode(err) != menuErrNone {
		return false, fmt.Errorf("read menu: %s", Scrub(err))
	}
	if err == nil && reflect.DeepEqual(fromSDK(cur.Menu.Button), want) {
		return false, nil
	}
	if err := a.SetMenu(toSDK(want)); err != nil {
		return false, fmt.Errorf("set menu: %s", Scrub(err))
	}
	return true, nil
}

func toSDK(bs []MenuButton) []*menu.Button {
	out := make([]*menu.Button, 0, len(bs))
	for _, b := range bs {
		btn := &menu.Button{}
		if len(b.Sub) > 0 {
			btn.SetSubButton(b.Name, toSDK(b.Sub))
		} else {
			btn.SetClickButton(b.Name, b.Key)
		}
		out = append(out, btn)
	}
	return out
}

func fromSDK(bs []menu.Button) []MenuButton {
	var out []MenuButton
	for _, b := range bs {
		mb := MenuButton{Name: b.Name}
		if len(b.SubButtons) > 0 {
			for _, s := range b.SubButtons {
				if s != nil {
					mb.Sub = append(mb.Sub, fromSDK([]menu.Button{*s})...)
				}
			}
		} else {
			mb.Key = b.Key
		}
		out = append(out, mb)
	}
	return out
}
