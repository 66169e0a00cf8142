// SPDX-License-Identifier: GPL-3.0-or-later
// Engine: voicemail. The recording webhooks recorded in the voicemail table (their download
// started once the message is committed) and the retention of old audio.
#include "engine.h"

#include "enginedetail.h"
#include "store/eventstore.h"
#include "telnyx/webhookevent.h"
#include "voicemail/recordingfetcher.h"
#include "voicemail/recordingpayload.h"
#include "voicemail/voicemailfiles.h"
#include "voicemail/voicemailrepository.h"

#include <QDateTime>

namespace kt {
using namespace enginedetail;

void Engine::handleRecordingEvent(const WebhookEvent &event)
{
    if (!m_voicemail || !m_fetcher)
        return;
    const QJsonObject payload = event.payloadJson;
    VoicemailRepository::Result r;
    QString what;
    if (event.eventType == QLatin1String("call.recording.saved")) {
        what = QStringLiteral("a voicemail recording");
        RecordingPayload::Saved saved = RecordingPayload::parseSaved(payload);
        // The webhook has no numbers; the call's row has them (keyed by its session).
        if (const auto call = m_store->call(callIdOf(event))) {
            saved.from = call->fromNumber.left(RecordingPayload::kMaxNumberChars);
            saved.to = call->toNumber.left(RecordingPayload::kMaxNumberChars);
        }
        bool start = false;
        r = m_fetcher->record(saved, &start);
        if (r.ok && start) {
            // Downloaded once the message is committed: a group that fails to commit leaves no
            // message, and Telnyx delivers the webhook again.
            Outgoing out;
            out.kind = Outgoing::FetchRecording;
            out.voicemailId = r.id;
            if (m_stepDepth > 0)
                m_outbox.append(out);
            else
                dispatch(out);
        }
    } else if (event.eventType == QLatin1String("call.recording.transcription.saved")) {
        what = QStringLiteral("a voicemail transcript");
        r = m_voicemail->recordTranscription(RecordingPayload::parseTranscription(payload), Actor);
    } else if (event.eventType == QLatin1String("call.recording.error")) {
        what = QStringLiteral("a recording error");
        r = m_voicemail->recordTelnyxError(RecordingPayload::parseError(payload), Actor);
    } else {
        return;
    }
    // A payload that names no recording and no call is refused here, which is no fault of the
    // store (a failing store fails the step's commit, which /health reports).
    if (!r.ok)
        qCWarning(lcEngine).noquote() << "could not record" << what << ":" << r.error;
}

void Engine::applyVoicemailRetention()
{
    if (!m_voicemail || m_config.voicemailRetentionDays <= 0)
        return;
    QStringList errors;
    const int deleted =
        VoicemailFiles::applyRetention(*m_voicemail, m_config.voicemailRetentionDays,
                                       QDateTime::currentDateTimeUtc(), Actor, &errors);
    if (deleted > 0)
        qCInfo(lcEngine) << "deleted the audio of" << deleted << "voicemail messages older than"
                         << m_config.voicemailRetentionDays << "days";
    for (const QString &e : std::as_const(errors))
        qCWarning(lcEngine).noquote() << "voicemail retention:" << e;
}

} // namespace kt
