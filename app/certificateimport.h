// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "enginecontroller.h"
#include "models/certificatelistmodel.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace kt {

// The Registry page's "Import certificate…" and "Trust root…": a file chosen or typed is checked
// (CertificateListModel::inspectFile) as soon as it is known, a short pause after typing, and
// only a file that can be added may be sent to the engine (EngineController::addCertificateFile
// or trustRootFile); the engine's answer closes the import or says why it failed. The page only
// shows these properties.
class CertificateImport : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(kt::CertificateListModel *certificates READ certificates WRITE setCertificates NOTIFY
                   certificatesChanged)
    Q_PROPERTY(kt::EngineController *controller READ controller WRITE setController NOTIFY
                   controllerChanged)
    Q_PROPERTY(Kind kind READ kind NOTIFY changed)
    Q_PROPERTY(Status status READ status NOTIFY changed)
    Q_PROPERTY(QString path READ path WRITE setPath NOTIFY pathChanged)
    Q_PROPERTY(bool open READ isOpen NOTIFY changed)
    Q_PROPERTY(bool checked READ isChecked NOTIFY changed)
    Q_PROPERTY(bool canConfirm READ canConfirm NOTIFY changed)
    Q_PROPERTY(QString nameSpace READ nameSpace NOTIFY changed)
    Q_PROPERTY(QString subject READ subject NOTIFY changed)
    Q_PROPERTY(QString fingerprint READ fingerprint NOTIFY changed)
    Q_PROPERTY(QString notAfterText READ notAfterText NOTIFY changed)
    Q_PROPERTY(bool expired READ isExpired NOTIFY changed)
    Q_PROPERTY(QString statusCode READ statusCode NOTIFY changed)
    Q_PROPERTY(QString message READ message NOTIFY changed)
public:
    // What is imported: nothing (closed), a namespace certificate, or a root to trust.
    enum Kind { None, Namespace, Root };
    Q_ENUM(Kind)
    enum Status {
        Closed,     // no import under way
        Waiting,    // no file checked yet
        Unreadable, // the file is missing, too large or not a certificate (message says which)
        Refused,    // a certificate that cannot be added (message says why)
        Acceptable, // a certificate that can be added: confirm() sends it
        Adding,     // sent to the engine, waiting for its answer
    };
    Q_ENUM(Status)

    // How long typing pauses before the path is checked.
    static constexpr int InspectDelayMs = 300;

    explicit CertificateImport(QObject *parent = nullptr);

    CertificateListModel *certificates() const { return m_certificates; }
    void setCertificates(CertificateListModel *certificates);
    EngineController *controller() const { return m_controller; }
    void setController(EngineController *controller);

    Kind kind() const { return m_kind; }
    Status status() const { return m_status; }
    QString path() const { return m_path; }
    // A typed path: checked after InspectDelayMs unless another edit comes first.
    void setPath(const QString &path);

    bool isOpen() const { return m_kind != None; }
    bool isChecked() const { return m_inspection.value(QStringLiteral("ok")).toBool(); }
    bool canConfirm() const { return m_status == Acceptable && m_controller; }
    QString nameSpace() const { return text(QStringLiteral("nameSpace")); }
    QString subject() const { return text(QStringLiteral("subject")); }
    QString fingerprint() const { return text(QStringLiteral("fingerprint")); }
    QString notAfterText() const { return text(QStringLiteral("notAfterText")); }
    bool isExpired() const { return m_inspection.value(QStringLiteral("expired")).toBool(); }
    QString statusCode() const { return text(QStringLiteral("statusCode")); }
    QString message() const;

    // Opens the import for `kind` with no file (None closes it).
    Q_INVOKABLE void start(kt::CertificateImport::Kind kind);
    // A chosen file (path or file: URL): checked at once.
    Q_INVOKABLE void choose(const QString &pathOrUrl);
    // Checks the path now (Enter in the field).
    Q_INVOKABLE void inspect();
    // Sends an Acceptable file to the engine; false (nothing sent) otherwise.
    Q_INVOKABLE bool confirm();
    Q_INVOKABLE void cancel() { start(None); }

signals:
    void certificatesChanged();
    void controllerChanged();
    void pathChanged();
    void changed();
    // The engine added the certificate or trusted the root (the import is closed).
    void imported(const QString &fingerprint);

private:
    QString text(const QString &key) const { return m_inspection.value(key).toString(); }
    void setInspection(const QVariantMap &inspection);
    void onActionFinished(int requestId, const QString &action, bool ok, const QString &message);

    QPointer<CertificateListModel> m_certificates;
    QPointer<EngineController> m_controller;
    QMetaObject::Connection m_finished;
    Kind m_kind = None;
    Status m_status = Closed;
    QString m_path;
    QVariantMap m_inspection;
    QString m_failure; // the engine's answer to a failed confirm()
    int m_request = -1;
    QTimer m_delay;
};

} // namespace kt
