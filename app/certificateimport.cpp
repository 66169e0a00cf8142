// SPDX-License-Identifier: GPL-3.0-or-later
#include "certificateimport.h"

namespace kt {

CertificateImport::CertificateImport(QObject *parent) : QObject(parent)
{
    m_delay.setSingleShot(true);
    m_delay.setInterval(InspectDelayMs);
    connect(&m_delay, &QTimer::timeout, this, &CertificateImport::inspect);
}

void CertificateImport::setCertificates(CertificateListModel *certificates)
{
    if (m_certificates == certificates)
        return;
    m_certificates = certificates;
    emit certificatesChanged();
}

void CertificateImport::setController(EngineController *controller)
{
    if (m_controller == controller)
        return;
    disconnect(m_finished);
    m_controller = controller;
    if (controller)
        m_finished = connect(controller, &EngineController::actionFinished, this,
                             &CertificateImport::onActionFinished);
    emit controllerChanged();
    emit changed();
}

void CertificateImport::setPath(const QString &path)
{
    if (m_path == path)
        return;
    m_path = path;
    emit pathChanged();
    if (m_kind != None && m_status != Adding)
        m_delay.start();
}

QString CertificateImport::message() const
{
    switch (m_status) {
    case Closed:
        return {};
    case Waiting:
        return tr("Choose a PEM file: it is checked before anything is added.");
    case Adding:
        return tr("Sending it to the engine…");
    case Unreadable:
    case Refused:
    case Acceptable:
        break;
    }
    return m_failure.isEmpty() ? text(QStringLiteral("message")) : m_failure;
}

void CertificateImport::start(Kind kind)
{
    m_delay.stop();
    m_kind = kind;
    m_request = -1;
    m_failure.clear();
    m_inspection.clear();
    m_status = kind == None ? Closed : Waiting;
    if (!m_path.isEmpty()) {
        m_path.clear();
        emit pathChanged();
    }
    emit changed();
}

void CertificateImport::choose(const QString &pathOrUrl)
{
    if (m_kind == None || m_status == Adding)
        return;
    if (m_path != pathOrUrl) {
        m_path = pathOrUrl;
        emit pathChanged();
    }
    inspect();
}

void CertificateImport::inspect()
{
    m_delay.stop();
    if (m_kind == None || m_status == Adding)
        return;
    const QString path = m_path.trimmed();
    if (path.isEmpty()) {
        setInspection({});
        return;
    }
    if (!m_certificates) {
        setInspection({{QStringLiteral("ok"), false},
                       {QStringLiteral("canAdd"), false},
                       {QStringLiteral("message"), tr("the certificate list is not open")}});
        return;
    }
    setInspection(m_certificates->inspectFile(path, m_kind == Root));
}

void CertificateImport::setInspection(const QVariantMap &inspection)
{
    m_inspection = inspection;
    m_failure.clear();
    if (inspection.isEmpty())
        m_status = Waiting;
    else if (!inspection.value(QStringLiteral("ok")).toBool())
        m_status = Unreadable;
    else
        m_status = inspection.value(QStringLiteral("canAdd")).toBool() ? Acceptable : Refused;
    emit changed();
}

bool CertificateImport::confirm()
{
    if (!canConfirm())
        return false;
    const QString path = m_path.trimmed();
    m_status = Adding;
    emit changed();
    // actionFinished is queued: the request id is known before the answer arrives.
    m_request =
        m_kind == Root ? m_controller->trustRootFile(path) : m_controller->addCertificateFile(path);
    return true;
}

void CertificateImport::onActionFinished(int requestId, const QString &action, bool ok,
                                         const QString &message)
{
    Q_UNUSED(action);
    if (m_status != Adding || requestId != m_request)
        return;
    m_request = -1;
    if (ok) {
        const QString fingerprint = this->fingerprint();
        start(None);
        emit imported(fingerprint);
        return;
    }
    // Refused by the engine: shown, and not offered again until the file is checked anew.
    m_status = Refused;
    m_failure = message;
    emit changed();
}

} // namespace kt
