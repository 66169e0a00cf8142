// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace kt {

// Event types of the screening data's changes (ScreeningRepository). Every change to the number
// map, the trusted roots, the namespace certificates, the revocations, the caller registry and the
// allow/block rules is one of these events in the hash-chained log, written in the same
// transaction as the table rows.
namespace ScreeningEvents {
inline constexpr const char NumberImported[] = "tel.number_imported";    // importNumbers
inline constexpr const char NumbersSynced[] = "tel.numbers_synced";      // syncNumbers
inline constexpr const char NumberPolicySet[] = "tel.number_policy_set"; // setNumberPolicy
inline constexpr const char RootTrusted[] = "tel.root_trusted";          // trustRoot
inline constexpr const char CertificateAdded[] = "tel.certificate_added";
inline constexpr const char CertificateRevoked[] = "tel.certificate_revoked";
inline constexpr const char RegistryAdded[] = "tel.registry_added";
inline constexpr const char RegistryRemoved[] = "tel.registry_removed";
inline constexpr const char RegistryPinSet[] = "tel.registry_pin_set";         // setPin
inline constexpr const char RegistryPinCleared[] = "tel.registry_pin_cleared"; // clearPin
// A caller's PIN on a call (recordPinAttempt; call_id set, never the digits).
inline constexpr const char PinVerified[] = "tel.pin_verified";
inline constexpr const char PinFailed[] = "tel.pin_failed";
inline constexpr const char PinLocked[] = "tel.pin_locked"; // the registration stops taking PINs
inline constexpr const char RuleAdded[] = "tel.rule_added";
inline constexpr const char RuleRemoved[] = "tel.rule_removed";
inline constexpr const char RuleConsumed[] = "tel.rule_consumed";
} // namespace ScreeningEvents

} // namespace kt
