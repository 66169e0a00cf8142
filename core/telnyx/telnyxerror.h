// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace kt {

// One entry of a Telnyx `{"errors":[...]}` body (docs/telnyx-api.md §4.1, §4.2). `code` is a string
// of digits.
struct TelnyxError
{
    QString code;
    QString title;
    QString detail;
    QString pointer; // source.pointer, e.g. "/to"; empty when absent
    QString metaUrl; // meta.url; empty when absent

    // The well-known codes this project acts on.
    static constexpr const char *CallEnded = "90018";
    static constexpr const char *CallNotAnswered = "90034";
    static constexpr const char *TranscriptionStartedTwice = "90054";
    static constexpr const char *InvalidCallControlId = "90015";
    static constexpr const char *AuthenticationFailed = "10009";
    static constexpr const char *TooManyRequests = "10011";

    // All entries of an error body; empty when the body is not of that shape.
    static QList<TelnyxError> parseList(const QByteArray &body);

    // {"code","detail","meta"?,"source"?,"title"}
    QJsonObject toJson() const;
    // The body `{"errors":[...]}` in compact JSON, keys in the order Telnyx sends them.
    static QByteArray body(const QList<TelnyxError> &errors);
    QByteArray body() const { return body({*this}); }

    // The catalogue (docs/telnyx-api.md §4.2, §7), used by the simulator.
    static TelnyxError callEnded();
    static TelnyxError callNotAnswered();
    static TelnyxError transcriptionStartedTwice();
    static TelnyxError invalidCallControlId();
    static TelnyxError missingParameter(const QString &field);
    static TelnyxError invalidEnum(const QString &field, const QStringList &values);
    static TelnyxError notE164(const QString &field);
    static TelnyxError outOfRange(const QString &field, qint64 min, qint64 max);
    static TelnyxError authenticationFailed();
    static TelnyxError tooManyRequests();
    static TelnyxError notFound();
};

} // namespace kt
