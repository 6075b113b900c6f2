package bot

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/bot/address"
	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/models"
)

// minAppealRunes: a shorter text that names nothing of the catalog is small
// talk or a stray answer, not an appeal.
const minAppealRunes = 6

// idleText starts an appeal from a description, or answers small talk.
func (s *step) idleText(text string) error {
	m := &s.e.Msg
	w := normWord(text)
	if slices.Contains(chat.Greetings, w) {
		s.goTo(StateIdle)
		s.say(m.Greeting)
		return nil
	}
	if slices.Contains(chat.Thanks, w) {
		s.goTo(StateIdle)
		s.say(m.Thanks)
		return nil
	}
	if asked, err := s.progressAsked(w); asked || err != nil {
		return err
	}
	if answered, err := s.answerAsked(text); answered || err != nil {
		return err
	}
	if s.alert == "" && asksHotline(w) {
		// 社区居委会电话是多少, 转人工: the phone, not an appeal asking for an
		// address (found by a first user).
		s.goTo(StateIdle)
		s.sayf(m.HotlineF, s.hotline())
		return nil
	}
	if s.alert == "" && (onlyWantsToReport(w) || (slices.Contains(chat.NewMatter, w) && w != "1")) {
		// 有个事想反映一下: what about is asked, as the menu's 我要反映 does,
		// not whether nothing is inside the compound (found by a first user,
		// whose description then answered the kind question and was dropped).
		s.data = convData{Draft: &draft{}}
		s.goTo(StateDescribe)
		s.say(m.MenuAppeal)
		return nil
	}
	if addressOnly(w) { // the cheap test first: this is every first message's path
		if a, ok := address.Parse(text); ok {
			// An address with no problem starts no appeal. A resident with no
			// address yet registers it (confirmed first), so that the next
			// appeal does not ask for it again (found by a first user);
			// otherwise ask for the problem.
			if s.res != nil && s.res.Building == "" && a.Building != "" {
				s.addressText(text)
				return nil
			}
			s.goTo(StateIdle)
			s.sayf(m.AddressAloneF, a.String(), address.Address{Building: a.Building}.String())
			return nil
		}
	}
	d, err := s.classify(text)
	if err != nil {
		return err
	}
	if (d.Item == nil || d.Item.Fallback) && utf8.RuneCountInString(w) < minAppealRunes && s.alert == "" {
		s.goTo(StateIdle)
		s.say(m.NotUnderstood)
		return nil
	}
	if it := d.Item; it != nil && it.Answer != "" && isEnquiry(w) {
		return s.answerEnquiry(text, it)
	}
	s.data = convData{Draft: &draft{Urgent: s.alert != ""}}
	s.addText(text)
	if st := s.in.Staff; st != nil && st.Active && s.alert == "" {
		// Staff words that are no command become an appeal of their own;
		// they may have meant to answer a resident (found by a second user:
		// 好的，救护车已经到了 became a 公立医疗 appeal).
		s.say(s.e.Msg.StaffDraftHint)
	}
	return s.classifyAndProceed(&d)
}

// addressOnly reports whether a (normalised) text holds nothing but an
// address's characters: numbers, building, unit, floor and room words, and
// separators ("6栋1单元101", "六号楼2-301").
func addressOnly(w string) bool {
	return strings.IndexFunc(w, func(r rune) bool { return !addressRune(r) }) < 0
}

// addressRune reports whether r may be part of an address (a normalised text's).
func addressRune(r rune) bool {
	return unicode.IsDigit(r) || (r >= 'A' && r <= 'Z') || strings.ContainsRune("栋幢座号楼单元层室户#-—、，,.:： 零〇一二两三四五六七八九十百", r)
}

// maxAddressWords: at most this many characters besides an address's own
// may stand around a building without a room ("我住6栋"); more is a
// description ("6栋楼下化粪池很臭").
const maxAddressWords = 4

// otherRunes counts the characters of w (normalised) that are not an
// address's.
func otherRunes(w string) int {
	n := 0
	for _, r := range w {
		if !addressRune(r) {
			n++
		}
	}
	return n
}

// isEnquiry reports whether the (normalised) text asks how to get
// something done rather than reports a problem.
func isEnquiry(w string) bool {
	return containsAny(w, chat.EnquiryCues)
}

// answerEnquiry answers an enquiry from its catalog item at once and
// records it as resolved immediately at community level (ops.BuildEnquiry).
func (s *step) answerEnquiry(text string, it *triage.Item) error {
	d := ops.AppealDraft{CommunityID: s.in.Msg.CommunityID, OpenID: s.in.Msg.OpenID, TopicID: it.ID,
		Text: messages.Clip(strings.TrimSpace(text), MaxDescriptionRunes), Index: len(s.out.Turn.NewAppeals), Now: s.now}
	if s.res != nil {
		d.GridID, d.Building = s.res.GridID, s.res.Building
	}
	b, answer, err := s.e.Appeals.BuildEnquiry(s.ctx, d)
	if err != nil {
		return err
	}
	s.out.Turn.NewAppeals = append(s.out.Turn.NewAppeals, b.New)
	s.goTo(StateIdle)
	s.sayf(s.e.Msg.EnquiryAnswerF, answer, b.Ref, b.New.Appeal.Unit)
	return nil
}

// addText appends a description, within bounds.
func (s *step) addText(text string) bool {
	d := s.data.Draft
	text = strings.TrimSpace(text)
	if d.Text == "" {
		d.Text = text
		return true
	}
	if utf8.RuneCountInString(d.Text)+utf8.RuneCountInString(text)+1 > MaxDescriptionRunes {
		return false
	}
	d.Text += "；" + text
	return true
}

// describe takes the description after a menu click, photo or location.
func (s *step) describe(text string) error {
	if s.data.Draft == nil {
		s.data.Draft = &draft{}
	}
	if s.alert != "" {
		// After the menu's 我要反映 as when typed at once (found by a second user).
		s.data.Draft.Urgent = true
	}
	if !s.addText(text) {
		s.say(s.e.Msg.DescriptionFull)
	}
	s.data.Draft.Settled = false
	return s.classifyAndProceed(nil)
}

// continueDraft moves an appeal on from wherever it stands.
func (s *step) continueDraft() error {
	d := s.data.Draft
	switch {
	case d == nil:
		s.goTo(StateIdle)
		return nil
	case d.Text == "":
		s.goTo(StateDescribe)
		s.say(s.e.Msg.AskDescribe)
		return nil
	case !d.Settled:
		return s.classifyAndProceed(nil)
	}
	return s.proceed()
}

// classifyAndProceed sorts the draft; when the text does not settle the
// kind, the triage question is asked instead of guessing.
func (s *step) classifyAndProceed(dec *triage.Decision) error {
	d := s.data.Draft
	if dec == nil {
		c, err := s.classify(d.Text)
		if err != nil {
			return err
		}
		dec = &c
	}
	d.Kind, d.TopicID, d.Answered = dec.Kind, "", false
	if dec.Item != nil {
		d.TopicID = dec.Item.ID
	}
	// An urgent appeal takes the likeliest kind rather than wait for an
	// answer; the committee corrects it if need be (it is marked 紧急).
	if dec.Question != "" && len(dec.Choices) > 0 && !d.Urgent {
		d.Question, d.Choices, d.Options, d.Settled = dec.Question, dec.Choices, dec.Options, false
		s.goTo(StateClarify)
		s.say(d.Question + s.e.Msg.ClarifyHint)
		return nil
	}
	d.Settled, d.Question, d.Choices, d.Options = true, "", nil, nil
	return s.proceed()
}

// clarify reads the answer to the triage question.
func (s *step) clarify(text string) error {
	d := s.data.Draft
	if d == nil {
		s.goTo(StateIdle)
		s.say(s.e.Msg.NotUnderstood)
		return nil
	}
	k, ok := pickKind(text, d.Choices, d.Options)
	if !ok {
		s.reask()
		return nil
	}
	if describes(text, d.Options) {
		// The answer is the problem itself (有个事想反映一下, then 就是楼上
		//那家天天半夜剁肉跺脚…): it joins the description, which had been
		// the vague first words alone (found by a first user).
		s.addText(text)
	}
	// The topic stays only if it belongs to the kind the resident chose
	// and names a matter; else the text with words of that kind may name
	// one that does (下水道 at home is private, in the compound the shared
	// drains). The words go first, as a resident would say them (小区里的路灯
	// 不亮), and name no matter of their own: "小区公共区域" made every
	// answer 公共空间占用.
	if it := s.item(d.TopicID); it == nil || it.Kind != k || it.Fallback {
		d.TopicID = ""
		if hint := s.e.Msg.KindHint[string(k)]; hint != "" {
			if again := s.e.Classifier.Classify(hint + d.Text); again.Item != nil && again.Item.Kind == k {
				d.TopicID = again.Item.ID
			}
		}
		// No matter of that kind named: the kind's catch-all, as a decided
		// appeal gets (家里停水了 made private showed no 事项 at all).
		if fb := s.e.Appeals.Fallback(k); d.TopicID == "" && fb != nil {
			d.TopicID = fb.ID
		}
	}
	d.Kind, d.Settled, d.Answered = k, true, true
	d.Question, d.Choices, d.Options = "", nil, nil
	return s.proceed()
}

// maxBareQueryRunes: a message about progress this short (查一下进度) is a
// query even from someone with no appeal: told they have none, not "没太明白".
const maxBareQueryRunes = 8

// maxHotlineRest: a message that asks for the phone holds this many other
// characters at most ("社区居委会电话是多少"); more is an appeal that speaks
// of a phone ("电梯里的联系电话打不通").
const maxHotlineRest = 6

// asksHotline reports whether a (normalised) message asks how to reach a
// person: one of chat.HotlineAsks and little else.
func asksHotline(w string) bool {
	for _, x := range chat.HotlineAsks {
		if strings.Contains(w, x) {
			rest := strings.Map(func(r rune) rune {
				if unicode.IsPunct(r) || unicode.IsSpace(r) {
					return -1
				}
				return r
			}, strings.Replace(w, x, "", 1))
			return utf8.RuneCountInString(rest) <= maxHotlineRest
		}
	}
	return false
}

// onlyWantsToReport reports a (normalised) message that says no more than
// that the resident wants to report something: one of chat.ReportLeads,
// the rest chat.ReportFiller.
func onlyWantsToReport(w string) bool {
	if utf8.RuneCountInString(w) > 16 || !containsAny(w, chat.ReportLeads) {
		return false
	}
	for _, x := range chat.ReportLeads {
		w = strings.ReplaceAll(w, x, "")
	}
	for _, x := range chat.ReportFiller { // longest first in the list
		w = strings.ReplaceAll(w, x, "")
	}
	return strings.IndexFunc(w, func(r rune) bool { return !unicode.IsPunct(r) && !unicode.IsSpace(r) }) < 0
}

// minDescribingRunes: an answer to the kind question this long that is
// none of its options describes the problem.
const minDescribingRunes = 8

// describes reports whether an answer to the kind question is a
// description of the problem rather than a choice of its options.
func describes(text string, options []string) bool {
	w := normWord(text)
	if utf8.RuneCountInString(w) < minDescribingRunes {
		return false
	}
	for _, o := range options {
		if o = normWord(o); strings.Contains(w, o) || strings.Contains(o, w) {
			return false
		}
	}
	return true
}

func (s *step) item(id string) *triage.Item {
	return s.e.Appeals.Item(id)
}

// proceed runs the steps after the kind is settled: the address when a
// small matter needs a grid, the duplicate check, then the summary.
func (s *step) proceed() error {
	d := s.data.Draft
	if d.Urgent {
		// No address, "me too" or confirmation asked: filed now, where the
		// text or the resident's home places it (else the committee's).
		if d.Kind == models.KindPrivate {
			// Someone in danger at home is not left to fend for themselves
			// (a fallen mother was filed private, "社区不派单"): the community acts.
			d.Kind = models.KindSmall
			if it := s.item(d.TopicID); it == nil || it.Kind != models.KindSmall {
				d.TopicID = ""
				if fb := s.e.Appeals.Fallback(models.KindSmall); fb != nil {
					d.TopicID = fb.ID
				}
			}
		}
		placed, filed := s.problemPlace().building != "", len(s.out.Turn.NewAppeals)
		if err := s.submit(); err != nil || placed || len(s.out.Turn.NewAppeals) == filed || s.state != StateIdle {
			return err // refused by the per-person limit, or placed already
		}
		// Nowhere said and no home known: ask where, and pass the answer on
		// (found by a second user: 楼栋 未登记 on a gas leak, and the place
		// sent next started a new appeal).
		s.goTo(StateUrgentPlace)
		s.say(s.e.Msg.UrgentWhere)
		return nil
	}
	if d.Kind == models.KindSmall && !s.res.Registered() {
		// A home address in the appeal itself (我住10栋2单元301，…) is
		// offered for confirmation instead of asked for again (found by a
		// second user); a building alone is where the problem is, not a home.
		if a, ok := address.Parse(d.Text); ok && a.Building != "" && a.Room != "" {
			s.data.Address = &addrDraft{Building: a.Building, Unit: a.Unit, Room: a.Room}
			s.goTo(StateAddressConfirm)
			s.say(s.e.Msg.AddressForAppealFound + fmt.Sprintf(s.e.Msg.ConfirmAddressF, s.formatAddress(a.Building, a.Unit, a.Room)))
			return nil
		}
		s.askAddress(s.e.Msg.AskAddressForAppeal)
		return nil
	}
	// A catch-all topic names no matter: appeals under it are not the same.
	if it := s.item(d.TopicID); d.Kind != models.KindPrivate && !d.NoMeToo && it != nil && !it.Fallback {
		dup, err := s.findDuplicate()
		if err != nil {
			return err
		}
		if dup != nil {
			s.data.Dup = &dupOffer{AppealID: dup.ID, Ref: dup.Ref, Status: dup.Status}
			s.goTo(StateMeToo)
			s.say(s.meTooOffer())
			return nil
		}
	}
	s.data.Dup = nil
	s.goTo(StateConfirm)
	s.say(s.summary())
	return nil
}

// findDuplicate returns an open appeal of the same topic nearby that the
// resident neither raised nor follows, or nil.
func (s *step) findDuplicate() (*models.Appeal, error) {
	p := s.problemPlace()
	gridID := p.gridID
	if p.said {
		gridID = "" // a building named is that building's matter: 8栋's lift is not 6栋's
	}
	list, err := s.e.Reader.OpenDuplicates(s.ctx, models.DuplicateQuery{
		CommunityID: s.in.Msg.CommunityID, TopicID: s.data.Draft.TopicID,
		Building: p.building, GridID: gridID, Since: s.now.Add(-s.e.meTooWindow()), Limit: 5})
	if err != nil {
		return nil, fmt.Errorf("duplicates: %w", err)
	}
	for _, a := range list {
		if a.OpenID == s.in.Msg.OpenID {
			continue
		}
		following, err := s.follows(a.ID)
		if err != nil {
			return nil, err
		}
		if !following {
			return a, nil
		}
	}
	return nil, nil
}

func (s *step) follows(appealID uint64) (bool, error) {
	fs, err := s.e.Reader.Followers(s.ctx, appealID)
	if err != nil {
		return false, fmt.Errorf("followers: %w", err)
	}
	for _, f := range fs {
		if f.OpenID == s.in.Msg.OpenID {
			return true, nil
		}
	}
	return false, nil
}

func (s *step) meTooOffer() string {
	dup := s.data.Dup
	if dup == nil || s.data.Draft == nil {
		return ""
	}
	topic := s.e.Msg.NoTopic
	if it := s.item(s.data.Draft.TopicID); it != nil {
		topic = it.Name
	}
	return fmt.Sprintf(s.e.Msg.MeTooOfferF, dup.Ref, topic, s.e.Msg.StatusNames[string(dup.Status)])
}

// meToo links the resident to the existing appeal, or goes on to a new one.
func (s *step) meToo(text string) error {
	dup := s.data.Dup
	if dup == nil || s.data.Draft == nil {
		return s.continueDraft()
	}
	switch parseOption(text, 2) {
	case 1:
		s.out.Turn.NewFollowers = append(s.out.Turn.NewFollowers, &models.Follower{AppealID: dup.AppealID, OpenID: s.in.Msg.OpenID})
		s.out.Turn.Events = append(s.out.Turn.Events, &models.AppealEvent{AppealID: dup.AppealID, Actor: string(models.ActorResident),
			Action: string(models.ActFollow), Reason: messages.Clip(s.data.Draft.Text, 200)})
		s.teach(s.data.Draft) // joining a neighbour's appeal teaches as a submission does
		s.goTo(StateIdle)
		s.sayf(s.e.Msg.MeTooDoneF, dup.Ref)
		return nil
	case 2:
		s.data.Draft.NoMeToo = true
		s.data.Dup = nil
		return s.proceed()
	}
	if yesNo(text) == 1 || strings.Contains(normWord(text), chat.Follow) {
		return s.meToo("1")
	}
	s.reask()
	return nil
}

// teach casts the resident's answer to the kind question, if they gave
// one, as their vote on the draft's phrases (stored with the turn).
func (s *step) teach(d *draft) {
	if d.Answered {
		s.out.Turn.LearningVotes = append(s.out.Turn.LearningVotes,
			s.e.votes(s.in.Msg.CommunityID, s.in.Msg.OpenID, false, d.Text, d.Kind, d.TopicID)...)
	}
}

// summary is the one message the resident confirms.
func (s *step) summary() string {
	m := &s.e.Msg
	d := s.data.Draft
	if d == nil {
		return ""
	}
	lines := []string{m.SummaryHead, fmt.Sprintf(m.SummaryTextF, messages.Clip(d.Text, 80))}
	if d.Kind == models.KindSmall && s.res.Registered() {
		lines = append(lines, fmt.Sprintf(m.SummaryPlaceF, s.formatAddress(s.res.Building, s.res.Unit, s.res.Room)))
		switch p := s.problemPlace(); {
		case p.outside:
			lines = append(lines, fmt.Sprintf(m.SummaryOutsidePlaceF, fmt.Sprintf(m.AddressBuildingF, p.building)))
		case p.named:
			lines = append(lines, fmt.Sprintf(m.SummaryProblemPlaceF, fmt.Sprintf(m.AddressBuildingF, p.building)))
		}
	} else if p := s.problemPlace(); d.Kind == models.KindMajor && p.named {
		// A government matter at a building the text names: the place, no grid (a user's
		// 15号楼门口的井盖坏了 showed none).
		lines = append(lines, fmt.Sprintf(m.SummaryMajorPlaceF, fmt.Sprintf(m.AddressBuildingF, p.building)))
	}
	if d.Loc != nil {
		label := d.Loc.Label
		if label == "" {
			label = fmt.Sprintf("%.5f,%.5f", d.Loc.Lat, d.Loc.Lng)
		}
		lines = append(lines, fmt.Sprintf(m.SummaryLocationF, messages.Clip(label, 40)))
	}
	if n := len(d.Photos); n > 0 {
		lines = append(lines, fmt.Sprintf(m.SummaryPhotosF, n))
	}
	lines = append(lines, fmt.Sprintf(m.SummaryKindF, m.KindExplain[string(d.Kind)]))
	if it := s.item(d.TopicID); it != nil {
		lines = append(lines, fmt.Sprintf(m.SummaryTopicF, it.Name))
	}
	lines = append(lines, m.SummaryActions)
	return strings.Join(lines, "\n")
}

// confirm reads 1 submit / 2 edit on the summary.
func (s *step) confirm(text string) error {
	if s.data.Draft == nil {
		s.goTo(StateIdle)
		s.say(s.e.Msg.NotUnderstood)
		return nil
	}
	switch yesNo(text) {
	case 1:
		return s.submit()
	case 2:
		d := s.data.Draft
		d.Text, d.Settled, d.Kind, d.TopicID, d.NoMeToo, d.Answered = "", false, "", "", false, false
		s.goTo(StateDescribe)
		s.say(s.e.Msg.EditAsk)
		return nil
	}
	// "算了我还是先自己去跟她们说说吧": the draft is let go, as 取消 does.
	if w := normWord(text); slices.ContainsFunc(chat.CancelLeads, func(p string) bool { return strings.HasPrefix(w, p) }) {
		s.data.Draft = nil
		s.goTo(StateIdle)
		s.say(s.e.Msg.Cancelled)
		return nil
	}
	// A new problem while this one waits: say so, keep the current one.
	if utf8.RuneCountInString(normWord(text)) >= minAppealRunes {
		s.sayf(s.e.Msg.InProgressF, s.prompt())
		return nil
	}
	s.reask()
	return nil
}

// dueText says a deadline as residents read it: "12月5日（周五）".
func (s *step) dueText(t *time.Time) string {
	return s.e.Msg.Due(t, s.e.loc())
}

// submit stores the confirmed appeal and tells the resident who handles it,
// by when, and what they will hear.
func (s *step) submit() error {
	m := &s.e.Msg
	d := s.data.Draft
	if d.Kind != models.KindPrivate {
		if busy, err := s.busyAuthor(); err != nil || busy {
			return err
		}
	}
	if d.Urgent {
		s.say(m.UrgentFiled)
	}
	var media []string
	for _, p := range d.Photos {
		media = append(media, strings.TrimSpace(p.MediaID+" "+p.PicURL))
	}
	p := s.problemPlace()
	draft := ops.AppealDraft{CommunityID: s.in.Msg.CommunityID, OpenID: s.in.Msg.OpenID, Actor: string(models.ActorResident),
		Kind: d.Kind, TopicID: d.TopicID, Text: d.Text, GridID: p.gridID, Building: p.building,
		MediaIDs: strings.Join(media, "\n"), Index: len(s.out.Turn.NewAppeals), Now: s.now}
	if d.Loc != nil {
		draft.Location = fmt.Sprintf("%.6f,%.6f %s", d.Loc.Lat, d.Loc.Lng, d.Loc.Label)
	}
	b, err := s.e.Appeals.BuildAppeal(s.ctx, draft)
	if err != nil {
		return err
	}
	s.out.Turn.NewAppeals = append(s.out.Turn.NewAppeals, b.New)
	s.out.Turn.Outbox = append(s.out.Turn.Outbox, b.Outbox...)
	s.teach(d)
	a, ref := b.New.Appeal, b.Ref
	switch {
	case d.Kind == models.KindPrivate:
		s.goTo(StateGuided)
		s.sayf(m.GuidedF, ref, b.Guide, s.hotline())
	case d.Kind == models.KindSmall && b.GridWorker():
		s.goTo(StateIdle)
		s.sayf(m.SubmittedSmallGridF, ref, b.Grid.Name, a.Unit, s.dueText(a.DueAt))
	case d.Kind == models.KindSmall:
		s.goTo(StateIdle)
		s.sayf(m.SubmittedSmallCommitteeF, ref, a.Unit, s.dueText(a.DueAt))
	default:
		s.goTo(StateIdle)
		s.sayf(m.SubmittedMajorF, ref, a.Unit, b.Limit, s.dueText(a.DueAt))
	}
	return nil
}

// draftForAttachment returns the appeal being prepared, starting one when
// there is none; nil while the address is being asked (it is re-asked).
func (s *step) draftForAttachment() *draft {
	switch s.state {
	case StateAddress, StateAddressConfirm:
		s.reask()
		return nil
	}
	if s.data.Draft == nil || !s.inAppeal() {
		s.data = convData{Draft: &draft{}}
		s.goTo(StateDescribe)
	}
	return s.data.Draft
}

// image keeps a photo on the appeal being prepared, or starts one.
func (s *step) image() {
	m := &s.e.Msg
	d := s.draftForAttachment()
	if d == nil {
		return
	}
	if len(d.Photos) >= MaxPhotos {
		s.sayWithPrompt(m.TooManyPhotos)
		return
	}
	d.Photos = append(d.Photos, photo{MediaID: messages.Clip(s.in.Msg.MediaID, 128), PicURL: messages.Clip(s.in.Msg.PicURL, 512)})
	if s.state == StateDescribe {
		s.say(m.PhotoAskText)
		return
	}
	s.sayWithPrompt(m.PhotoAdded)
}

// location keeps a location message on the appeal; a far one is confirmed.
func (s *step) location() {
	m := &s.e.Msg
	d := s.draftForAttachment()
	if d == nil {
		return
	}
	d.Loc = &place{Lat: s.in.Msg.Lat, Lng: s.in.Msg.Lng, Label: messages.Clip(s.in.Msg.Label, 60)}
	d.LocFar = false
	if far, _ := s.community().Far(ops.Point{Lat: s.in.Msg.Lat, Lng: s.in.Msg.Lng}); far {
		s.goTo(StateLocationConfirm)
		s.say(s.prompt())
		return
	}
	if d.Text == "" {
		s.goTo(StateDescribe)
		s.say(m.LocationAskText)
		return
	}
	s.sayWithPrompt(m.LocationAdded)
}

// locationConfirm keeps or drops a far location, then goes on.
func (s *step) locationConfirm(text string) error {
	d := s.data.Draft
	if d == nil {
		s.goTo(StateIdle)
		s.say(s.e.Msg.NotUnderstood)
		return nil
	}
	switch yesNo(text) {
	case 1:
		d.LocFar = true
	case 2:
		d.Loc = nil
		s.say(s.e.Msg.LocationDropped)
	default:
		s.reask()
		return nil
	}
	if d.Text == "" {
		s.goTo(StateDescribe)
		s.say(s.e.Msg.AskDescribe)
		return nil
	}
	return s.continueDraft()
}

// buildingNamed is a building said as one: a number (digits or Chinese
// numerals) and 栋, 幢, 座 or 号楼.
var buildingNamed = regexp.MustCompile(`[0-9０-９零〇一二两三四五六七八九十百]+\s*(?:栋|幢|座|号楼)`)

// problemAt is where an appeal's matter is (problemPlace).
type problemAt struct {
	building, gridID string
	said             bool // the text names the building (the home's or another)
	named            bool // the text names a building other than the resident's home
	outside          bool // … and no grid of the community holds it
}

// problemPlace is where an appeal's matter is: the building its text names
// when it is not the resident's own ("6号楼门口堆了好多垃圾" from a resident
// of 3栋 goes to the worker of 6栋's grid, and the task says 6栋; a first user
// saw the task name their home instead); a building no grid holds (15栋 in a
// community of 12) stays with the resident's grid, which checks it, and the
// task still names it; else the resident's home building and grid.
func (s *step) problemPlace() problemAt {
	home := problemAt{building: s.res.Building, gridID: s.res.GridID}
	d := s.data.Draft
	if d == nil {
		return home
	}
	// Only a building said as one (6栋, 6号楼, 六幢): a bare 号 is as often a
	// date or a line ("12月5号起", "3号线"; found by an attacker).
	m := buildingNamed.FindString(d.Text)
	if m == "" {
		return home
	}
	a, ok := address.Parse(m)
	if !ok || a.Building == "" {
		return home
	}
	if a.Building == s.res.Building {
		home.said = true
		return home
	}
	if g := s.community().GridOf(a.Building); g != nil {
		return problemAt{building: a.Building, gridID: g.ID, said: true, named: true}
	}
	return problemAt{building: a.Building, gridID: s.res.GridID, said: true, named: true, outside: true}
}

// MaxAppealsPerDay bounds the appeals for others to handle (small and
// major) that one resident submits in 24 hours and that are still open:
// each pushes a task to a worker, and a flood from one account would spend
// the workers' push budget and bury their neighbours' appeals (found by an
// attacker). Private matters, "me too" and appeals already closed do not count.
const MaxAppealsPerDay = 5

// busyAuthor reports whether the sender already has MaxAppealsPerDay open
// appeals of the last 24 hours; if so it has said so (the draft is let go,
// the hotline given) and the appeal is not stored.
func (s *step) busyAuthor() (bool, error) {
	// Counted in the database, not among the latest few read (20 private
	// matters hid the open ones from a first count; found by an attacker).
	n, err := s.e.Reader.OpenPublicAppealsSince(s.ctx, s.in.Msg.CommunityID, s.in.Msg.OpenID, s.now.Add(-24*time.Hour))
	if err != nil {
		return false, err
	}
	if n < MaxAppealsPerDay {
		return false, nil
	}
	s.data.Draft = nil
	s.goTo(StateIdle)
	s.sayf(s.e.Msg.TooManyAppealsF, MaxAppealsPerDay, s.hotline())
	return true, nil
}

// hotline is the sender's community's phone, or where to ask when it has none.
func (s *step) hotline() string {
	if c := s.community(); c != nil && c.Hotline != "" {
		return c.Hotline
	}
	return s.e.Msg.HotlineUnknown
}

// progressAsked answers a question about appeals already raised with the
// resident's appeals (a first user's "进展怎么样了" became a new appeal to
// confirm). Words of danger, or a resident with no appeal to ask about
// ("路灯坏了一个月了，怎么还没人处理" is a first complaint), go on as an appeal.
func (s *step) progressAsked(w string) (bool, error) {
	if (!containsAny(w, chat.ProgressAsks) && !slices.Contains(chat.ProgressBare, w)) || s.alert != "" {
		return false, nil
	}
	c, o := s.in.Msg.CommunityID, s.in.Msg.OpenID
	own, err := s.e.Reader.ListAppeals(s.ctx, models.AppealFilter{CommunityID: c, OpenID: o, Limit: 1})
	if err != nil {
		return false, fmt.Errorf("appeals: %w", err)
	}
	if len(own) == 0 {
		followed, err := s.e.Reader.FollowedAppeals(s.ctx, c, o, 1)
		if err != nil {
			return false, fmt.Errorf("followed appeals: %w", err)
		}
		if len(followed) == 0 && utf8.RuneCountInString(w) > maxBareQueryRunes {
			return false, nil // a first complaint that asks why nobody came
		}
	}
	s.goTo(StateIdle)
	s.keep, s.query = true, true
	return true, s.myAppeals()
}

// urgentPlace takes the words after an urgent appeal filed without a place
// (where it is, who is there) as a note on it for its handler; anything
// the note cannot take goes on as any message would.
func (s *step) urgentPlace(text string) error {
	own, err := s.e.Reader.ListAppeals(s.ctx, models.AppealFilter{CommunityID: s.in.Msg.CommunityID, OpenID: s.in.Msg.OpenID, Limit: 1})
	if err != nil {
		return fmt.Errorf("appeals: %w", err)
	}
	if len(own) == 1 {
		if a, ok := address.Parse(text); ok && own[0].Building == "" {
			s.placing = a.Building // the words place the appeal too
		}
		if noted, err := s.note(own[0].Ref, text); noted || err != nil {
			return err
		}
	}
	s.goTo(StateIdle)
	return s.idleText(text)
}
