// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "connectiontester.h"
#include "data/readonlydatabase.h"
#include "enginecontroller.h"
#include "firstrun.h"
#include "golivecontroller.h"
#include "labels.h"
#include "models/calldetailmodel.h"
#include "models/callfiltermodel.h"
#include "models/calllistmodel.h"
#include "models/certificatelistmodel.h"
#include "models/eventlogmodel.h"
#include "models/historymodel.h"
#include "models/numberlistmodel.h"
#include "models/pendingregistrationlistmodel.h"
#include "models/registrationlistmodel.h"
#include "models/rulelistmodel.h"
#include "models/searchfiltermodel.h"
#include "models/statsmodel.h"
#include "models/voicemailmodel.h"
#include "platform/secretstore.h"
#include "settingscontroller.h"
#include "voicemailplayer.h"

#include <QObject>
#include <QTimer>
#include <QVariantMap>

#include <memory>

namespace kt {

class Engine;

// Everything the QML dashboard shows, in the UI thread: the view models (each list that reads
// the database has its own read-only connection), the filters over them and the
// EngineController, wired to the engine's queued signals. properties() are Main.qml's initial
// properties (required properties, no context properties).
class Dashboard : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString databasePath;
        int askTimeoutSecs = 20;
        int screenTimeoutSecs = 45; // screen-timeout: a screened call's countdown
        QString defaultPolicy = QStringLiteral("reject_with_message");
        bool dryRun = false;
        bool demo = false;
        QString serverUrl;
        GoLiveController::Settings goLive; // the Go live page
        // The Settings page: the configuration the app runs with (and its configFile), where
        // the API key is stored (null: the system keychain; not owned) and the autostart
        // location (empty: the default; see Autostart).
        Config config;
        SecretStore *secrets = nullptr;
        QString autostartLocation;
        // Show the first-run setup card (FirstRun::needed).
        bool firstRun = false;
        // Play voicemail through Qt Multimedia (false: the player says it is off).
        bool audioPlayback = true;
        // Watch mode: no engine here; the calls follow the log (notified on PostgreSQL) and the
        // owner's decisions go to the engine elsewhere as request events.
        bool watching = false;
    };

    // `engine` may be null (the actions then fail with a message); it lives in its own thread.
    Dashboard(const Options &options, Engine *engine, QObject *parent = nullptr);
    ~Dashboard() override;

    // Opens the read-only models on the database (which the engine has created) and loads
    // them. False with `error` on failure.
    bool open(QString *error);

    // Main.qml's initial properties.
    QVariantMap properties() const;

    CallListModel &calls() { return m_calls; }
    CallFilterModel &askingCalls() { return m_askingCalls; }
    CallFilterModel &activeCalls() { return m_activeCalls; }
    CallFilterModel &recentCalls() { return m_recentCalls; }
    HistoryModel &history() { return m_history; }
    EventLogModel &events() { return m_events; }
    NumberListModel &numbers() { return m_numbers; }
    SearchFilterModel &numberSearch() { return m_numberSearch; }
    RuleListModel &rules() { return m_rules; }
    RegistrationListModel &registrations() { return m_registrations; }
    PendingRegistrationListModel &pendingRegistrations() { return m_pendingRegistrations; }
    CertificateListModel &certificates() { return m_certificates; }
    EngineController &controller() { return m_controller; }
    GoLiveController &goLive() { return m_goLive; }
    StatsModel &stats() { return m_stats; }
    CallDetailModel &callDetail() { return m_callDetail; }
    SettingsController &settings() { return *m_settings; }
    ConnectionTester &tester() { return *m_tester; }
    FirstRun &firstRun() { return m_firstRun; }
    VoicemailModel &voicemail() { return m_voicemail; }
    VoicemailPlayer &player() { return *m_player; }

    // Re-reads the lists that do not follow the engine's signals (e.g. after a CLI change).
    void refreshLists();

public slots:
    void onCallChanged(const kt::CallRecord &call);

signals:
    // Watch mode: a call changed by the engine elsewhere, as the log showed it.
    void callFollowed(const kt::CallRecord &call);

private:
    void applyNumberLabels();
    // Watch mode: the calls that events after m_followedSeq touched, upserted into the lists.
    void followCalls();
    // PostgreSQL: each engine instance's last webhook, for the Go live page (m_instancesTimer
    // reads it at most once a second, after the log advanced).
    void readInstances();

    Options m_options;
    Labels m_labels{nullptr}; // the QML singleton `Labels` (Labels::setInstance)
    CallListModel m_calls;
    CallFilterModel m_askingCalls;
    CallFilterModel m_activeCalls;
    CallFilterModel m_recentCalls;
    HistoryModel m_history;
    EventLogModel m_events;
    NumberListModel m_numbers;
    SearchFilterModel m_numberSearch;
    RuleListModel m_rules;
    RegistrationListModel m_registrations;
    PendingRegistrationListModel m_pendingRegistrations;
    CertificateListModel m_certificates;
    EngineController m_controller;
    GoLiveController m_goLive;
    StatsModel m_stats;
    CallDetailModel m_callDetail;
    std::unique_ptr<SecretStore> m_keychain; // when no store was given
    std::unique_ptr<SettingsController> m_settings;
    std::unique_ptr<ConnectionTester> m_tester;
    FirstRun m_firstRun;
    VoicemailModel m_voicemail;
    std::unique_ptr<VoicemailPlayer> m_player;
    QTimer m_refreshTimer;
    ReadOnlyDatabase m_follow;      // watch mode
    ReadOnlyDatabase m_instancesDb; // PostgreSQL only
    QTimer m_instancesTimer;
    qint64 m_followedSeq = 0;
};

} // namespace kt
