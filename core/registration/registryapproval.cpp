// SPDX-License-Identifier: GPL-3.0-or-later
#include "registryapproval.h"

#include "screening/screeningrepository.h"

namespace kt {

std::function<QString(const PendingRegistration &)>
RegistryApproval::sink(ScreeningRepository &repository, const QString &actor)
{
    return [&repository, actor](const PendingRegistration &r) {
        const ScreeningResult added = repository.addCertificate(r.certificatePem, actor);
        if (!added.ok)
            return added.error;
        const ScreeningResult registered = repository.registerPhone(r.phone, r.nameSpace, actor);
        if (!registered.ok)
            return registered.error;
        const ScreeningResult pin = repository.setPinHash(r.phone, r.pinHash, actor);
        return pin.ok ? QString() : pin.error;
    };
}

} // namespace kt
