package triage

import "github.com/gongzhi/gongzhi/models"

// TopicFor is the catalog item of the kind that the text names best, scored
// as Classify scores items, or nil when the text names no matter of that
// kind. A committee that changes an appeal's kind gets the matter the text
// names for the new kind (楼下火锅店油烟 made major is 餐饮油烟, not the
// neighbour matter it was filed under).
func (c *Classifier) TopicFor(text string, kind models.Kind) *Item {
	if !kind.Valid() {
		return nil
	}
	return c.evidence(text).bestItem[kindIndex(kind)]
}

// Topics are the catalog items a text names, the best of each kind it
// names any of (the catch-alls never: they have no words).
func (c *Classifier) Topics(text string) []*Item {
	var out []*Item
	for _, it := range c.evidence(text).bestItem {
		if it != nil {
			out = append(out, it)
		}
	}
	return out
}
