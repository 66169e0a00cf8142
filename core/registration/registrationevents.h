// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace kt {

// Event types of self-registration (RegistrationService), each appended in the same transaction
// as the pending_registrations row it describes. Their payloads carry the registration's id,
// namespace, phone, certificate fingerprint and state; never the PIN, its hash, the call-in code
// or the status token.
namespace RegistrationEvents {
inline constexpr const char Submitted[] = "tel.registration_submitted";
inline constexpr const char PhoneProven[] = "tel.registration_phone_proven";
inline constexpr const char Approved[] = "tel.registration_approved";
inline constexpr const char Denied[] = "tel.registration_denied";
} // namespace RegistrationEvents

} // namespace kt
