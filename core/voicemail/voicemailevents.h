// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace kt {

// Event types of voicemail (VoicemailRepository), each appended in the same transaction as the
// voicemail_messages change it describes. Their payloads carry metadata only: the message id,
// call, recording id, numbers, times, sizes, the audio's SHA-256 and file name, the transcript's
// length. Never the audio, never the transcript's words (the log is append-only; a deleted
// message must not live on in it), never a presigned link (it is a credential for ten minutes).
namespace VoicemailEvents {
inline constexpr const char Recorded[] = "tel.voicemail_recorded";
inline constexpr const char Downloaded[] = "tel.voicemail_downloaded";
inline constexpr const char Transcribed[] = "tel.voicemail_transcribed";
inline constexpr const char Heard[] = "tel.voicemail_heard";
inline constexpr const char Deleted[] = "tel.voicemail_deleted";
inline constexpr const char Error[] = "tel.voicemail_error";
} // namespace VoicemailEvents

} // namespace kt
