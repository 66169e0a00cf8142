// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace kt {

// Event types of self-registration (RegistrationService), each appended in the same transaction
// as the pending_registrations row it describes (CallInTried: as the call's row). Their payloads
// carry the registration's id, namespace, phone, certificate fingerprint and state; never the PIN,
// its hash, the call-in code or the status token.
namespace RegistrationEvents {
inline constexpr const char Submitted[] = "tel.registration_submitted";
inline constexpr const char PhoneProven[] = "tel.registration_phone_proven";
inline constexpr const char Approved[] = "tel.registration_approved";
inline constexpr const char Denied[] = "tel.registration_denied";
// A call-in try on a call (the engine, with the call's id): its try number, the gather's outcome,
// "result" right|wrong when digits were keyed in, the call's decision after it, and the
// registration's id when right. Never the digits.
inline constexpr const char CallInTried[] = "tel.registration_call_in";
} // namespace RegistrationEvents

} // namespace kt
