package bot

import (
	"strings"
	"testing"

	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestAddressAloneRegisters: a new resident whose first message is their
// address alone is asked to confirm it, and once confirmed is not asked for
// it again by their first appeal (found by a first user: the address was
// dropped and asked for again). Both databases.
func TestAddressAloneRegisters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		// A unit with no room is shown with its unit (8栋1单元 was shown as 8栋; found by a first user).
		if r := w.say("newcomer", "3栋2单元"); !strings.Contains(r, "您的住址是：3栋2单元，") {
			t.Fatalf("building and unit = %q; want both confirmed", r)
		}
		if r := w.say("newcomer", "3栋2单元302"); !strings.Contains(r, "您的住址是：3栋2单元302") {
			t.Fatalf("address alone = %q; want its confirmation", r)
		}
		if r := w.say("newcomer", "1"); !strings.Contains(r, "住址已登记") || !strings.Contains(r, "直接发给我") {
			t.Fatalf("confirm = %q", r)
		}
		if r := w.say("newcomer", "我们单元的楼道灯坏了好几天了"); strings.Contains(r, "告诉我您的住址") || r == "" {
			t.Fatalf("the first appeal asks for the address again: %q", r)
		}
	})
}

// TestAddressInTheAppeal: a new resident's first appeal that says their
// home address (我住3栋2单元301，…) is offered that address to confirm, and
// once confirmed goes on to its summary without asking for it (found by a
// second user). Both databases.
func TestAddressInTheAppeal(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		if r := w.say("newcomer", "我住3栋2单元301，单元门的门禁坏了关不上"); !strings.Contains(r, "您的住址是：3栋2单元301") {
			t.Fatalf("an appeal with its address = %q; want the address to confirm", r)
		}
		r := w.say("newcomer", "1")
		if !strings.Contains(r, "住址已登记") || strings.Contains(r, "告诉我您的住址") {
			t.Fatalf("confirm = %q; want the address saved and the appeal going on", r)
		}
	})
}
