// SPDX-License-Identifier: GPL-3.0-or-later
// Settings: the Telnyx account (the API key goes to the system keychain, never to the config
// file), what callers get, and this computer. Every field is checked as it is typed; Save writes
// the config file and says what needs a restart.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts

Item {
    id: view

    required property var settings
    // "Test connection" (ConnectionTester); none: not offered.
    property var tester: null

    function trustLabel(level) {
        switch (level) {
        case "attested": return qsTr("Attested calls only");
        case "any": return qsTr("Any caller ID");
        default: return level;
        }
    }

    function trustDetail(level) {
        switch (level) {
        case "attested": return qsTr("Only a STIR/SHAKEN A-attested, validated phone call proves itself; others are asked for their PIN, or treated as unknown callers.");
        case "any": return qsTr("The caller ID alone is proof, though anyone can fake one.");
        default: return "";
        }
    }

    function policyDetail(policy) {
        switch (policy) {
        case "reject_with_message": return qsTr("Answer, say the rejection message, hang up.");
        case "reject": return qsTr("Refuse the call without answering it.");
        case "ask": return qsTr("Let it ring here while you decide; no answer in time falls back to the setting below.");
        case "voicemail": return qsTr("Answer, say the greeting, record a message after the beep.");
        default: return "";
        }
    }

    function policyName(policy) {
        return policy === "voicemail" ? qsTr("Voicemail") : Theme.policyLabel(policy)
    }

    function fallbackName(policy) {
        return policy === "" ? qsTr("Same as unknown callers") : view.policyName(policy)
    }

    FileDialog {
        id: databaseDialog
        title: qsTr("Where kevan-tel keeps its event log")
        fileMode: FileDialog.SaveFile
        nameFilters: [qsTr("SQLite database (*.db)"), qsTr("All files (*)")]
        onAccepted: view.settings.setValue("db", String(databaseDialog.selectedFile))
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 12

        Rectangle {
            objectName: "restartBanner"
            Layout.fillWidth: true
            // A reminder once the save's own message (which says the same) is gone.
            visible: view.settings.restartNeeded.length > 0 && view.settings.statusMessage === ""
            implicitHeight: restartLabel.implicitHeight + 20
            radius: Theme.radius
            color: "#fbeede"
            border.color: Theme.warning
            Label {
                id: restartLabel
                anchors.fill: parent
                anchors.margins: 10
                text: qsTr("Saved. Restart kevan-tel to apply: %1.")
                      .arg(view.settings.restartNeeded.map(f => view.labelOf(f)).join(", "))
                textFormat: Text.PlainText
                wrapMode: Text.WordWrap
                color: Theme.warning
                font.bold: true
            }
        }

        ScrollView {
            id: scroll
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentWidth: availableWidth
            clip: true

            ColumnLayout {
                width: scroll.availableWidth - 12
                spacing: 12

                SectionTitle {
                    Layout.fillWidth: true
                    text: qsTr("Telnyx account")
                }
                Card {
                    Layout.fillWidth: true
                    implicitHeight: account.implicitHeight + 32
                    ColumnLayout {
                        id: account
                        anchors.fill: parent
                        anchors.margins: 16
                        spacing: 16

                        FormRow {
                            objectName: "apiKeyRow"
                            Layout.fillWidth: true
                            label: qsTr("API key")
                            detail: qsTr("For the calls' commands. Kept in the system keychain, never in the config file.")
                            error: view.settings.errors["api-key"] ?? ""
                            hint: view.settings.hints["api-key"] ?? ""
                            RowLayout {
                                Layout.fillWidth: true
                                spacing: 8
                                InputField {
                                    id: apiKeyField
                                    objectName: "apiKey"
                                    Layout.fillWidth: true
                                    placeholderText: view.settings.apiKeyState === "stored"
                                                     ? qsTr("•••••••• stored — type a new key to replace it")
                                                     : qsTr("KEY0123…")
                                    echoMode: showKey.checked ? TextInput.Normal : TextInput.Password
                                    text: view.settings.values["api-key"]
                                    onTextEdited: view.settings.setValue("api-key", text)
                                }
                                ActionButton {
                                    id: showKey
                                    small: true
                                    filled: false
                                    checkable: true
                                    text: checked ? qsTr("Hide") : qsTr("Show")
                                    enabled: apiKeyField.text !== ""
                                }
                                ActionButton {
                                    small: true
                                    filled: false
                                    tint: Theme.danger
                                    visible: view.settings.apiKeyState === "stored"
                                    enabled: !view.settings.busy
                                    text: qsTr("Remove")
                                    onClicked: view.settings.removeApiKey()
                                }
                            }
                            Label {
                                objectName: "apiKeyState"
                                Layout.fillWidth: true
                                text: (view.settings.apiKeyState === "stored" ? "✓ "
                                       : view.settings.apiKeyState === "unavailable" ? "⚠ " : "")
                                      + view.settings.apiKeyMessage
                                textFormat: Text.PlainText
                                wrapMode: Text.WordWrap
                                font.pixelSize: 12
                                color: view.settings.apiKeyState === "stored" ? Theme.decisionColor("authenticated")
                                       : view.settings.apiKeyState === "unavailable" ? Theme.warning : Theme.muted
                            }
                            ConnectionTest {
                                Layout.fillWidth: true
                                visible: view.tester !== null
                                tester: view.tester
                                typedKey: view.settings.values["api-key"] ?? ""
                            }
                        }

                        FormRow {
                            objectName: "publicKeyRow"
                            Layout.fillWidth: true
                            label: qsTr("Webhook public key")
                            detail: qsTr("Proves that webhooks come from Telnyx: base64 of 32 bytes.")
                            error: view.settings.errors["public-key"] ?? ""
                            hint: view.settings.hints["public-key"] ?? ""
                            InputField {
                                objectName: "publicKey"
                                Layout.fillWidth: true
                                font.family: "monospace"
                                placeholderText: qsTr("From the Telnyx portal, e.g. Jk0u…=")
                                text: view.settings.values["public-key"]
                                onTextEdited: view.settings.setValue("public-key", text)
                            }
                        }
                    }
                }

                SectionTitle {
                    Layout.fillWidth: true
                    Layout.topMargin: 4
                    text: qsTr("Calls")
                }
                Card {
                    Layout.fillWidth: true
                    implicitHeight: callsForm.implicitHeight + 32
                    ColumnLayout {
                        id: callsForm
                        anchors.fill: parent
                        anchors.margins: 16
                        spacing: 16

                        FormRow {
                            objectName: "forwardToRow"
                            Layout.fillWidth: true
                            label: qsTr("Forward to")
                            detail: qsTr("Your real phone: where allowed calls ring.")
                            error: view.settings.errors["forward-to"] ?? ""
                            hint: view.settings.hints["forward-to"] ?? ""
                            InputField {
                                objectName: "forwardTo"
                                Layout.fillWidth: true
                                placeholderText: qsTr("e.g. +1 415 555 0132")
                                inputMethodHints: Qt.ImhDialableCharactersOnly
                                text: view.settings.values["forward-to"]
                                onTextEdited: view.settings.setValue("forward-to", text)
                            }
                        }

                        FormRow {
                            objectName: "namespaceRow"
                            Layout.fillWidth: true
                            label: qsTr("Namespace")
                            detail: qsTr("Yours; callers see it on forwarded calls.")
                            error: view.settings.errors["namespace"] ?? ""
                            hint: view.settings.hints["namespace"] ?? ""
                            InputField {
                                objectName: "namespace"
                                Layout.fillWidth: true
                                placeholderText: qsTr("e.g. kevan.tel.x")
                                text: view.settings.values["namespace"]
                                onTextEdited: view.settings.setValue("namespace", text)
                            }
                        }

                        FormRow {
                            objectName: "unknownPolicyRow"
                            Layout.fillWidth: true
                            label: qsTr("Unknown callers")
                            detail: qsTr("Callers who are not registered and match no rule.")
                            error: view.settings.errors["unknown-policy"] ?? ""
                            hint: view.policyDetail(view.settings.values["unknown-policy"])
                            SelectBox {
                                objectName: "unknownPolicy"
                                Layout.preferredWidth: 240
                                model: view.settings.policies.map(p => view.policyName(p))
                                currentIndex: view.settings.policies.indexOf(view.settings.values["unknown-policy"])
                                onActivated: index => view.settings.setValue("unknown-policy", view.settings.policies[index])
                            }
                        }

                        FormRow {
                            objectName: "callerIdTrustRow"
                            Layout.fillWidth: true
                            label: qsTr("Caller ID trust")
                            detail: qsTr("When a registered number's caller ID alone is proof of who calls.")
                            error: view.settings.errors["caller-id-trust"] ?? ""
                            hint: view.trustDetail(view.settings.values["caller-id-trust"])
                            SelectBox {
                                objectName: "callerIdTrust"
                                Layout.preferredWidth: 240
                                model: view.settings.callerIdTrustLevels.map(t => view.trustLabel(t))
                                currentIndex: view.settings.callerIdTrustLevels.indexOf(view.settings.values["caller-id-trust"])
                                onActivated: index => view.settings.setValue("caller-id-trust", view.settings.callerIdTrustLevels[index])
                            }
                        }

                        FormRow {
                            objectName: "rejectionMessageRow"
                            Layout.fillWidth: true
                            label: qsTr("Rejection message")
                            detail: qsTr("What turned-away callers hear (spoken by Telnyx).")
                            error: view.settings.errors["rejection-message"] ?? ""
                            hint: view.settings.hints["rejection-message"] ?? ""
                            Rectangle {
                                Layout.fillWidth: true
                                implicitHeight: 84
                                radius: 7
                                color: Theme.surface
                                border.width: messageArea.activeFocus ? 2 : 1
                                border.color: messageArea.activeFocus ? Theme.accent : "#cfd6d2"
                                ScrollView {
                                    anchors.fill: parent
                                    anchors.margins: 2
                                    TextArea {
                                        id: messageArea
                                        objectName: "rejectionMessage"
                                        wrapMode: TextEdit.Wrap
                                        font.pixelSize: 13
                                        color: Theme.text
                                        selectByMouse: true
                                        background: null
                                        text: view.settings.values["rejection-message"]
                                        onTextChanged: if (text !== view.settings.values["rejection-message"])
                                                           view.settings.setValue("rejection-message", text)
                                    }
                                }
                            }
                        }

                        FormRow {
                            objectName: "selfRegistrationRow"
                            Layout.fillWidth: true
                            label: qsTr("Self-registration")
                            detail: qsTr("Namespace holders register their own phone on the page at /register.")
                            error: view.settings.errors["self-registration"] ?? ""
                            hint: view.settings.values["self-registration"] === "on"
                                  ? qsTr("The page is served through your tunnel; {register_url} in the rejection message names it.")
                                  : qsTr("Off: /register is not served.")
                            SelectBox {
                                objectName: "selfRegistration"
                                Layout.preferredWidth: 240
                                model: view.settings.selfRegistrationModes.map(m => m === "on" ? qsTr("On") : qsTr("Off"))
                                currentIndex: view.settings.selfRegistrationModes.indexOf(view.settings.values["self-registration"])
                                onActivated: index => view.settings.setValue("self-registration", view.settings.selfRegistrationModes[index])
                            }
                        }

                        FormRow {
                            objectName: "registrationApprovalRow"
                            Layout.fillWidth: true
                            label: qsTr("Registration approval")
                            detail: qsTr("Who approves a registration once both proofs passed.")
                            error: view.settings.errors["registration-approval"] ?? ""
                            hint: view.settings.values["registration-approval"] === "automatic"
                                  ? qsTr("Proven registrations are added to the registry at once.")
                                  : qsTr("You approve or deny each one in Registry.")
                            SelectBox {
                                objectName: "registrationApproval"
                                Layout.preferredWidth: 240
                                model: view.settings.registrationApprovals.map(a => a === "automatic" ? qsTr("Automatic") : qsTr("Me (owner)"))
                                currentIndex: view.settings.registrationApprovals.indexOf(view.settings.values["registration-approval"])
                                onActivated: index => view.settings.setValue("registration-approval", view.settings.registrationApprovals[index])
                            }
                        }

                        FormRow {
                            objectName: "askFallbackRow"
                            Layout.fillWidth: true
                            label: qsTr("When you do not decide in time")
                            detail: qsTr("What a call that rings for you becomes when the time runs out.")
                            error: view.settings.errors["ask-fallback"] ?? ""
                            hint: view.settings.hints["ask-fallback"] ?? ""
                            SelectBox {
                                objectName: "askFallback"
                                Layout.preferredWidth: 240
                                model: view.settings.askFallbacks.map(p => view.fallbackName(p))
                                currentIndex: view.settings.askFallbacks.indexOf(view.settings.values["ask-fallback"])
                                onActivated: index => view.settings.setValue("ask-fallback", view.settings.askFallbacks[index])
                            }
                        }

                        FormRow {
                            objectName: "voicemailGreetingRow"
                            Layout.fillWidth: true
                            label: qsTr("Voicemail greeting")
                            detail: qsTr("What a caller hears before the beep (spoken by Telnyx).")
                            error: view.settings.errors["voicemail-greeting"] ?? ""
                            hint: view.settings.hints["voicemail-greeting"] ?? ""
                            Rectangle {
                                Layout.fillWidth: true
                                implicitHeight: 64
                                radius: 7
                                color: Theme.surface
                                border.width: greetingArea.activeFocus ? 2 : 1
                                border.color: greetingArea.activeFocus ? Theme.accent : "#cfd6d2"
                                ScrollView {
                                    anchors.fill: parent
                                    anchors.margins: 2
                                    TextArea {
                                        id: greetingArea
                                        objectName: "voicemailGreeting"
                                        wrapMode: TextEdit.Wrap
                                        font.pixelSize: 13
                                        color: Theme.text
                                        selectByMouse: true
                                        background: null
                                        text: view.settings.values["voicemail-greeting"]
                                        onTextChanged: if (text !== view.settings.values["voicemail-greeting"])
                                                           view.settings.setValue("voicemail-greeting", text)
                                    }
                                }
                            }
                        }

                        FormRow {
                            objectName: "voicemailMaxLengthRow"
                            Layout.fillWidth: true
                            label: qsTr("Longest message")
                            detail: qsTr("Seconds a caller can speak after the beep.")
                            error: view.settings.errors["voicemail-max-length"] ?? ""
                            hint: view.settings.hints["voicemail-max-length"] ?? ""
                            InputField {
                                objectName: "voicemailMaxLength"
                                Layout.preferredWidth: 120
                                inputMethodHints: Qt.ImhDigitsOnly
                                text: view.settings.values["voicemail-max-length"]
                                onTextEdited: view.settings.setValue("voicemail-max-length", text)
                            }
                        }

                        FormRow {
                            objectName: "voicemailTranscriptionRow"
                            Layout.fillWidth: true
                            label: qsTr("Transcribe messages")
                            detail: qsTr("Telnyx turns each message into text after the call.")
                            ToggleSwitch {
                                objectName: "voicemailTranscription"
                                text: checked ? qsTr("Transcripts with each message") : qsTr("Audio only")
                                checked: view.settings.values["voicemail-transcription"]
                                onToggled: view.settings.setValue("voicemail-transcription", checked)
                            }
                        }

                        FormRow {
                            objectName: "voicemailOnNoAnswerRow"
                            Layout.fillWidth: true
                            label: qsTr("Voicemail when you do not answer")
                            detail: qsTr("A forwarded caller you do not pick up for can leave a message.")
                            ToggleSwitch {
                                objectName: "voicemailOnNoAnswer"
                                text: checked ? qsTr("Take a message") : qsTr("Say the unavailable message")
                                checked: view.settings.values["voicemail-on-no-answer"]
                                onToggled: view.settings.setValue("voicemail-on-no-answer", checked)
                            }
                        }
                    }
                }

                SectionTitle {
                    Layout.fillWidth: true
                    Layout.topMargin: 4
                    text: qsTr("This computer")
                }
                Card {
                    Layout.fillWidth: true
                    implicitHeight: computerForm.implicitHeight + 32
                    ColumnLayout {
                        id: computerForm
                        anchors.fill: parent
                        anchors.margins: 16
                        spacing: 16

                        FormRow {
                            objectName: "portRow"
                            Layout.fillWidth: true
                            label: qsTr("Port")
                            detail: qsTr("Of the webhook server on this computer (your tunnel points to it).")
                            error: view.settings.errors["port"] ?? ""
                            hint: view.settings.hints["port"] ?? ""
                            InputField {
                                objectName: "port"
                                Layout.preferredWidth: 140
                                inputMethodHints: Qt.ImhDigitsOnly
                                text: view.settings.values["port"]
                                onTextEdited: view.settings.setValue("port", text)
                            }
                        }

                        FormRow {
                            objectName: "adminPortRow"
                            Layout.fillWidth: true
                            label: qsTr("Admin port")
                            detail: qsTr("Of /metrics and the detailed /health, on this computer only (127.0.0.1); never give it to the tunnel.")
                            error: view.settings.errors["admin-port"] ?? ""
                            hint: view.settings.hints["admin-port"] ?? ""
                            InputField {
                                objectName: "adminPort"
                                Layout.preferredWidth: 140
                                inputMethodHints: Qt.ImhDigitsOnly
                                text: view.settings.values["admin-port"]
                                onTextEdited: view.settings.setValue("admin-port", text)
                            }
                        }

                        FormRow {
                            objectName: "dbRow"
                            Layout.fillWidth: true
                            label: qsTr("Data location")
                            detail: qsTr("The event log: every call, decision and change.")
                            error: view.settings.errors["db"] ?? ""
                            hint: view.settings.hints["db"] ?? ""
                            RowLayout {
                                Layout.fillWidth: true
                                spacing: 8
                                InputField {
                                    objectName: "db"
                                    Layout.fillWidth: true
                                    font.family: "monospace"
                                    text: view.settings.values["db"]
                                    onTextEdited: view.settings.setValue("db", text)
                                }
                                ActionButton {
                                    filled: false
                                    text: qsTr("Choose…")
                                    onClicked: databaseDialog.open()
                                }
                            }
                        }

                        FormRow {
                            objectName: "startMinimizedRow"
                            Layout.fillWidth: true
                            label: qsTr("Start minimized")
                            detail: qsTr("Start in the tray, without this window.")
                            hint: view.settings.hints["start-minimized"] ?? ""
                            ToggleSwitch {
                                objectName: "startMinimized"
                                text: checked ? qsTr("Only the tray icon at start") : qsTr("Open this window at start")
                                checked: view.settings.values["start-minimized"]
                                onToggled: view.settings.setValue("start-minimized", checked)
                            }
                        }

                        FormRow {
                            objectName: "autostartRow"
                            Layout.fillWidth: true
                            label: qsTr("Start at sign-in")
                            detail: qsTr("Screen calls from the moment you sign in. Applies when you save.")
                            error: view.settings.errors["autostart"] ?? ""
                            ToggleSwitch {
                                objectName: "autostart"
                                text: checked ? qsTr("kevan-tel starts when you sign in") : qsTr("Start kevan-tel yourself")
                                checked: view.settings.values["autostart"]
                                onToggled: view.settings.setValue("autostart", checked)
                            }
                        }
                    }
                }

                Label {
                    Layout.fillWidth: true
                    Layout.bottomMargin: 8
                    text: qsTr("Config file: %1").arg(view.settings.configFile)
                    textFormat: Text.PlainText
                    font.family: "monospace"
                    font.pixelSize: 11
                    color: Theme.faint
                    elide: Text.ElideMiddle
                }
            }
        }

        // Save, and what it did.
        Card {
            Layout.fillWidth: true
            implicitHeight: Math.max(56, statusLabel.implicitHeight + 24)
            RowLayout {
                anchors.fill: parent
                anchors.leftMargin: 16
                anchors.rightMargin: 12
                spacing: 10
                Label {
                    id: statusLabel
                    objectName: "settingsStatus"
                    Layout.fillWidth: true
                    readonly property var invalid: Object.keys(view.settings.errors)
                    text: view.settings.busy ? qsTr("Saving…")
                          : view.settings.statusMessage !== "" ? (view.settings.statusOk ? "✓ " : "✗ ") + view.settings.statusMessage
                          : invalid.length > 0 ? "✗ " + qsTr("To fix before saving: %1").arg(invalid.map(f => view.labelOf(f)).join(", "))
                          : view.settings.dirty ? qsTr("Unsaved changes: %1")
                                                  .arg(view.settings.changedFields.map(f => view.labelOf(f)).join(", "))
                          : qsTr("Every change is checked as you type.")
                    textFormat: Text.PlainText
                    wrapMode: Text.WordWrap
                    font.pixelSize: 12
                    font.bold: view.settings.statusMessage !== "" ? !view.settings.statusOk : invalid.length > 0
                    color: view.settings.statusMessage !== ""
                           ? (view.settings.statusOk ? Theme.decisionColor("authenticated") : Theme.danger)
                           : invalid.length > 0 ? Theme.danger : Theme.muted
                }
                ActionButton {
                    objectName: "revertSettings"
                    filled: false
                    text: qsTr("Revert")
                    enabled: view.settings.dirty && !view.settings.busy
                    onClicked: view.settings.revert()
                }
                ActionButton {
                    objectName: "saveSettings"
                    text: qsTr("Save")
                    enabled: view.settings.dirty && !view.settings.busy
                    onClicked: view.settings.save()
                }
            }
        }
    }

    function labelOf(field) {
        switch (field) {
        case "api-key": return qsTr("API key");
        case "public-key": return qsTr("webhook public key");
        case "forward-to": return qsTr("forward-to number");
        case "namespace": return qsTr("namespace");
        case "unknown-policy": return qsTr("unknown callers");
        case "caller-id-trust": return qsTr("caller ID trust");
        case "rejection-message": return qsTr("rejection message");
        case "self-registration": return qsTr("self-registration");
        case "registration-approval": return qsTr("registration approval");
        case "port": return qsTr("port");
        case "db": return qsTr("data location");
        case "start-minimized": return qsTr("start minimized");
        case "autostart": return qsTr("start at sign-in");
        default: return field;
        }
    }
}
