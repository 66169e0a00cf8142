// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "pendingregistration.h"

#include <QString>

#include <functional>

namespace kt {

class ScreeningRepository;

// What approving a self-registration writes to the caller registry, the same from the running
// engine (the dashboard's Approve, automatic approval) and from `kevan-tel registry approve`:
// the caller's certificate is added (it must still be valid against the trusted roots), the
// phone registered to the namespace, and the PIN the caller chose set as the page's hash (never
// seen in clear). Each is a registry event of its own, by `actor`. For
// RegistrationService::setApprovalSink: returns the first error, or empty.
class RegistryApproval
{
public:
    // `repository` must outlive the returned function.
    static std::function<QString(const PendingRegistration &)> sink(ScreeningRepository &repository,
                                                                    const QString &actor);
};

} // namespace kt
