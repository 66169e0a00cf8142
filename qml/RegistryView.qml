// SPDX-License-Identifier: GPL-3.0-or-later
// Registry: which callers' phones belong to which namespace (and whether its certificate is
// valid now), and the certificates: the trusted roots and the namespace certificates, with
// "Import certificate…" and "Trust root…" (checked as soon as a file is chosen). Above them,
// callers' self-registrations still open, with Approve / Deny once both proofs passed.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import KevanTel.Ui

Item {
    id: view

    required property RegistrationListModel registrations
    required property PendingRegistrationListModel pendingRegistrations
    required property CertificateListModel certificates
    required property EngineController controller

    // The certificate import: the file checked before it is added, and the engine's answer.
    readonly property CertificateImport importer: CertificateImport {
        objectName: "certificateImport"
        certificates: view.certificates
        controller: view.controller
    }

    FileDialog {
        id: importDialog
        title: view.importer.kind === CertificateImport.Root ? qsTr("Trust a root certificate")
                                                            : qsTr("Import a namespace certificate")
        nameFilters: [qsTr("Certificates (*.pem *.crt *.cer)"), qsTr("All files (*)")]
        onAccepted: view.importer.choose(String(importDialog.selectedFile))
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 12

        Card {
            Layout.fillWidth: true
            implicitHeight: form.implicitHeight + 24
            RowLayout {
                id: form
                anchors.fill: parent
                anchors.margins: 12
                spacing: 10
                Label {
                    text: qsTr("Register a caller")
                    font.bold: true
                    color: Theme.text
                }
                InputField {
                    id: phoneField
                    objectName: "registerPhone"
                    Layout.fillWidth: true
                    placeholderText: qsTr("Phone, e.g. +1 415 555 0132")
                    inputMethodHints: Qt.ImhDialableCharactersOnly
                }
                InputField {
                    id: nameSpaceField
                    objectName: "registerNamespace"
                    Layout.fillWidth: true
                    placeholderText: qsTr("Namespace, e.g. alice.x")
                }
                ActionButton {
                    text: qsTr("Register")
                    enabled: view.controller !== null && phoneField.text.trim() !== ""
                             && nameSpaceField.text.trim() !== ""
                    onClicked: {
                        view.controller.registerPhone(phoneField.text, nameSpaceField.text);
                        phoneField.clear();
                        nameSpaceField.clear();
                    }
                }
            }
        }

        SectionTitle {
            Layout.fillWidth: true
            visible: view.pendingRegistrations.count > 0
            text: qsTr("Registrations waiting")
            detail: String(view.pendingRegistrations.count)
        }

        ListView {
            id: pending
            objectName: "pendingRegistrationList"
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(contentHeight, 300)
            visible: count > 0
            clip: true
            spacing: 8
            model: view.pendingRegistrations
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            delegate: Card {
                id: request

                required property string registrationId
                required property string nameSpace
                required property string phoneText
                required property int stateKind
                required property string stateText
                required property bool certificateValid
                required property string certificateText
                required property string namespaceProof
                required property string phoneProof
                required property string submittedText
                required property bool canApprove

                width: pending.width - 12
                height: requestRow.implicitHeight + 24
                border.color: request.stateKind === RegistrationState.AwaitingOwner ? Theme.decisionColor(CallDecision.Challenge) : Theme.border
                RowLayout {
                    id: requestRow
                    anchors.fill: parent
                    anchors.leftMargin: 16
                    anchors.rightMargin: 12
                    anchors.topMargin: 12
                    anchors.bottomMargin: 12
                    spacing: 12
                    ColumnLayout {
                        Layout.preferredWidth: 190
                        spacing: 2
                        Label {
                            text: request.nameSpace
                            textFormat: Text.PlainText
                            font.pixelSize: 15
                            font.bold: true
                            color: Theme.accent
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                        Label {
                            text: request.phoneText
                            textFormat: Text.PlainText
                            font.pixelSize: 14
                            color: Theme.text
                        }
                        Label {
                            text: qsTr("submitted %1").arg(request.submittedText)
                            textFormat: Text.PlainText
                            font.pixelSize: 11
                            color: Theme.faint
                        }
                    }
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 4
                        Pill {
                            text: (request.certificateValid ? "✓ " : "✗ ") + request.certificateText
                            tint: request.certificateValid ? Theme.decisionColor(CallDecision.Authenticated) : Theme.danger
                        }
                        Label {
                            Layout.fillWidth: true
                            text: "✓ " + request.namespaceProof
                            textFormat: Text.PlainText
                            font.pixelSize: 12
                            color: Theme.text
                            elide: Text.ElideRight
                        }
                        Label {
                            Layout.fillWidth: true
                            text: (request.stateKind === RegistrationState.AwaitingOwner ? "✓ " : "… ") + request.phoneProof
                            textFormat: Text.PlainText
                            font.pixelSize: 12
                            color: request.stateKind === RegistrationState.AwaitingOwner ? Theme.text : Theme.faint
                            elide: Text.ElideRight
                        }
                    }
                    Pill {
                        text: request.stateText
                        tint: request.stateKind === RegistrationState.AwaitingOwner ? Theme.decisionColor(CallDecision.Challenge) : Theme.faint
                        filled: request.stateKind === RegistrationState.AwaitingOwner
                    }
                    ActionButton {
                        objectName: "approveRegistration"
                        small: true
                        tint: Theme.decisionColor(CallDecision.Authenticated)
                        text: qsTr("Approve")
                        visible: request.stateKind === RegistrationState.AwaitingOwner
                        enabled: view.controller !== null && request.canApprove
                        onClicked: view.controller.approveRegistration(request.registrationId)
                    }
                    ActionButton {
                        objectName: "denyRegistration"
                        small: true
                        filled: false
                        tint: Theme.danger
                        text: qsTr("Deny")
                        enabled: view.controller !== null
                        onClicked: view.controller.denyRegistration(request.registrationId)
                    }
                }
            }
        }

        SectionTitle {
            Layout.fillWidth: true
            text: qsTr("Registered callers")
            detail: String(view.registrations.count)
        }

        ListView {
            id: registry
            objectName: "registrationList"
            Layout.fillWidth: true
            Layout.preferredHeight: Math.max(70, Math.min(contentHeight, 260))
            clip: true
            spacing: 8
            model: view.registrations
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            delegate: Card {
                id: reg

                required property string phone
                required property string phoneText
                required property string nameSpace
                required property string fingerprintShort
                required property string verifiedText
                required property bool certificateValid
                required property string certificateCode
                required property string certificateReason

                width: registry.width - 12
                height: 60
                RowLayout {
                    anchors.fill: parent
                    anchors.leftMargin: 16
                    anchors.rightMargin: 12
                    spacing: 12
                    ColumnLayout {
                        Layout.preferredWidth: 190
                        spacing: 1
                        Label {
                            text: reg.phoneText
                            textFormat: Text.PlainText
                            font.pixelSize: 15
                            font.bold: true
                            color: Theme.text
                        }
                        Label {
                            text: qsTr("since %1").arg(reg.verifiedText)
                            textFormat: Text.PlainText
                            font.pixelSize: 11
                            color: Theme.faint
                        }
                    }
                    Label {
                        Layout.preferredWidth: 150
                        text: reg.nameSpace
                        textFormat: Text.PlainText
                        font.pixelSize: 15
                        font.bold: true
                        color: Theme.accent
                        elide: Text.ElideRight
                    }
                    Pill {
                        text: reg.certificateValid ? "✓ " + qsTr("certificate valid") : "✗ " + reg.certificateCode
                        tint: reg.certificateValid ? Theme.decisionColor(CallDecision.Authenticated) : Theme.danger
                    }
                    Label {
                        Layout.fillWidth: true
                        text: reg.certificateValid ? "SHA-256 " + reg.fingerprintShort + "…" : reg.certificateReason
                        textFormat: Text.PlainText
                        font.pixelSize: 12
                        color: reg.certificateValid ? Theme.faint : Theme.danger
                        elide: Text.ElideRight
                    }
                    ActionButton {
                        small: true
                        filled: false
                        tint: Theme.danger
                        text: qsTr("Remove")
                        enabled: view.controller !== null
                        onClicked: view.controller.unregisterPhone(reg.phone)
                    }
                }
            }
            EmptyState {
                width: parent.width - 12
                visible: registry.count === 0
                title: qsTr("Nobody is registered yet")
                detail: qsTr("Register a caller's phone to a namespace that holds a valid certificate.")
            }
        }

        SectionTitle {
            Layout.fillWidth: true
            Layout.topMargin: 8
            Layout.rightMargin: 12
            text: qsTr("Certificates")
            detail: String(view.certificates.count)
            ActionButton {
                objectName: "importCertificate"
                small: true
                filled: false
                text: qsTr("Import certificate…")
                onClicked: {
                    view.importer.start(CertificateImport.Namespace);
                    importDialog.open();
                }
            }
            ActionButton {
                objectName: "trustRoot"
                small: true
                filled: false
                tint: Theme.decisionColor(CallDecision.Allowlisted)
                text: qsTr("Trust root…")
                onClicked: {
                    view.importer.start(CertificateImport.Root);
                    importDialog.open();
                }
            }
        }

        // The file being imported, checked before it is added.
        Card {
            objectName: "importPanel"
            Layout.fillWidth: true
            Layout.rightMargin: 12
            visible: view.importer.open
            implicitHeight: importColumn.implicitHeight + 28
            border.color: view.importer.status === CertificateImport.Acceptable ? Theme.decisionColor(CallDecision.Authenticated)
                          : view.importer.status === CertificateImport.Refused
                            || view.importer.status === CertificateImport.Unreadable ? Theme.danger : Theme.border
            ColumnLayout {
                id: importColumn
                anchors.fill: parent
                anchors.margins: 14
                spacing: 10
                RowLayout {
                    Layout.fillWidth: true
                    spacing: 10
                    Label {
                        text: view.importer.kind === CertificateImport.Root ? qsTr("Trust a root") : qsTr("Import a certificate")
                        font.bold: true
                        color: Theme.text
                    }
                    InputField {
                        id: importPath
                        objectName: "importPath"
                        Layout.fillWidth: true
                        font.family: "monospace"
                        placeholderText: qsTr("Path of a PEM file, e.g. /home/you/alice.x.pem")
                        text: view.importer.path
                        Accessible.name: qsTr("Certificate file")
                        onTextEdited: view.importer.path = text
                        onAccepted: view.importer.inspect()
                    }
                    ActionButton {
                        small: true
                        filled: false
                        text: qsTr("Browse…")
                        onClicked: importDialog.open()
                    }
                }
                GridLayout {
                    Layout.fillWidth: true
                    visible: view.importer.checked
                    columns: 2
                    columnSpacing: 14
                    rowSpacing: 4
                    Label { text: qsTr("Namespace"); color: Theme.faint; font.pixelSize: 12; visible: view.importer.kind !== CertificateImport.Root }
                    Label {
                        objectName: "importNamespace"
                        Layout.fillWidth: true
                        visible: view.importer.kind !== CertificateImport.Root
                        text: view.importer.nameSpace !== "" ? view.importer.nameSpace : qsTr("none")
                        textFormat: Text.PlainText
                        font.bold: true
                        color: Theme.accent
                        elide: Text.ElideRight
                    }
                    Label { text: qsTr("Subject"); color: Theme.faint; font.pixelSize: 12 }
                    Label {
                        Layout.fillWidth: true
                        text: view.importer.subject
                        textFormat: Text.PlainText
                        font.pixelSize: 12
                        color: Theme.text
                        elide: Text.ElideRight
                    }
                    Label { text: qsTr("SHA-256"); color: Theme.faint; font.pixelSize: 12 }
                    Label {
                        objectName: "importFingerprint"
                        Layout.fillWidth: true
                        text: view.importer.fingerprint
                        textFormat: Text.PlainText
                        font.family: "monospace"
                        font.pixelSize: 11
                        color: Theme.text
                        elide: Text.ElideMiddle
                    }
                    Label { text: qsTr("Expires"); color: Theme.faint; font.pixelSize: 12 }
                    Label {
                        Layout.fillWidth: true
                        text: view.importer.notAfterText
                        textFormat: Text.PlainText
                        font.pixelSize: 12
                        color: view.importer.expired ? Theme.danger : Theme.text
                    }
                }
                RowLayout {
                    Layout.fillWidth: true
                    spacing: 10
                    Pill {
                        readonly property bool acceptable: view.importer.status === CertificateImport.Acceptable
                        visible: view.importer.checked
                        text: acceptable ? "✓ " + qsTr("can be added") : "✗ " + view.importer.statusCode
                        tint: acceptable ? Theme.decisionColor(CallDecision.Authenticated) : Theme.danger
                    }
                    Label {
                        objectName: "importMessage"
                        Layout.fillWidth: true
                        text: view.importer.message
                        textFormat: Text.PlainText
                        wrapMode: Text.WordWrap
                        font.pixelSize: 12
                        color: view.importer.status === CertificateImport.Acceptable ? Theme.decisionColor(CallDecision.Authenticated)
                               : view.importer.status === CertificateImport.Refused
                                 || view.importer.status === CertificateImport.Unreadable ? Theme.danger : Theme.muted
                    }
                    ActionButton {
                        small: true
                        filled: false
                        text: qsTr("Cancel")
                        onClicked: view.importer.cancel()
                    }
                    ActionButton {
                        objectName: "confirmImport"
                        small: true
                        text: view.importer.kind === CertificateImport.Root ? qsTr("Trust root") : qsTr("Add certificate")
                        enabled: view.importer.canConfirm
                        onClicked: view.importer.confirm()
                    }
                }
            }
        }

        ListView {
            id: certs
            objectName: "certificateList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 8
            model: view.certificates
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            delegate: Card {
                id: cert

                required property string fingerprintShort
                required property string kind
                required property string nameSpace
                required property string subject
                required property string notAfterText
                required property bool valid
                required property string statusCode
                required property string statusReason

                width: certs.width - 12
                height: 60
                RowLayout {
                    anchors.fill: parent
                    anchors.leftMargin: 16
                    anchors.rightMargin: 16
                    spacing: 12
                    Pill {
                        Layout.preferredWidth: 96
                        text: cert.kind === "root" ? qsTr("Trusted root") : qsTr("Namespace")
                        tint: cert.kind === "root" ? Theme.decisionColor(CallDecision.Allowlisted) : Theme.accent
                    }
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 1
                        Label {
                            Layout.fillWidth: true
                            text: cert.kind === "root" ? cert.subject : cert.nameSpace
                            textFormat: Text.PlainText
                            font.pixelSize: 14
                            font.bold: true
                            color: Theme.text
                            elide: Text.ElideRight
                        }
                        Label {
                            Layout.fillWidth: true
                            text: "SHA-256 " + cert.fingerprintShort + "…  ·  " + qsTr("expires %1").arg(cert.notAfterText)
                            textFormat: Text.PlainText
                            font.pixelSize: 11
                            color: Theme.faint
                            elide: Text.ElideRight
                        }
                    }
                    Pill {
                        text: cert.valid ? "✓ " + qsTr("valid") : "✗ " + cert.statusCode
                        tint: cert.valid ? Theme.decisionColor(CallDecision.Authenticated) : Theme.danger
                        PlainToolTip {
                            visible: certMouse.containsMouse
                            text: cert.statusReason
                        }
                        MouseArea {
                            id: certMouse
                            anchors.fill: parent
                            hoverEnabled: true
                        }
                    }
                }
            }
            EmptyState {
                width: parent.width - 12
                visible: certs.count === 0
                title: qsTr("No certificates")
                detail: qsTr("Trust a root, then import the namespace certificates it signed.")
            }
        }
    }
}
