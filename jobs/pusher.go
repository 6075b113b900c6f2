package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/gongzhi/gongzhi/models"
)

// OutboxPusher is the bot.Pusher of the service: a push becomes an outbox
// row (so it survives a crash and obeys the rate), and the dispatcher is
// woken to send it.
type OutboxPusher struct {
	Outbox models.Outbox
	Notify func() // wakes the local dispatcher; may be nil
}

// PushText queues a customer-service text (a template with the text in
// thing1 when the 48-hour window is closed).
func (p *OutboxPusher) PushText(ctx context.Context, communityID, openID, text string) error {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	m := &models.OutboxMessage{CommunityID: communityID, OpenID: openID, Type: models.PushReply,
		Text: text, Key: "reply:" + hex.EncodeToString(b)}
	if _, err := p.Outbox.Enqueue(ctx, m); err != nil {
		return fmt.Errorf("queue push: %w", err)
	}
	if p.Notify != nil {
		p.Notify()
	}
	return nil
}
