// SPDX-License-Identifier: GPL-3.0-or-later
// A stand-in for `cloudflared tunnel --url ...`: a shell script that logs on stderr as the real
// quick tunnel does (the URL in a box), records its arguments and environment next to itself
// (args.txt, env.txt) and then waits, or fails. For tst_tunnel and tst_golivecontroller.
#pragma once

#include <QDir>
#include <QFile>
#include <QString>

namespace kt::test {

enum class StandIn {
    Works,     // prints the URL in its box, then runs until stopped
    NoUrl,     // runs, but never prints a URL
    Fails,     // cannot reach Cloudflare's API: exits with code 1
    DiesLater, // prints the URL, then exits with code 1 after a moment
};

inline const char *standInUrl()
{
    return "https://seasonal-deck-organisms-sf.trycloudflare.com";
}

// Writes `dir`/cloudflared for `variant`; returns its path (empty on failure).
inline QString writeStandInCloudflared(const QString &dir, StandIn variant)
{
    const QByteArray intro =
        "#!/bin/sh\n"
        "printf '%s\\n' \"$@\" > \"$(dirname \"$0\")/args.txt\"\n"
        "echo $$ > \"$(dirname \"$0\")/pid.txt\"\n"
        "env > \"$(dirname \"$0\")/env.txt\"\n"
        "cat >&2 <<'LOG'\n"
        "2025-11-23T03:30:00Z INF Thank you for trying Cloudflare Tunnel. Doing so, without a "
        "Cloudflare account, is a quick way to experiment and try it out. However, be aware that "
        "these account-less Tunnels have no uptime guarantee, are subject to the Cloudflare Online "
        "Services Terms of Use (https://www.cloudflare.com/website-terms/), and Cloudflare "
        "reserves "
        "the right to investigate your use of Tunnels for violations of such terms. If you intend "
        "to use Tunnels in production you should use a pre-created named tunnel by following: "
        "https://developers.cloudflare.com/cloudflare-one/connections/connect-apps\n"
        "2025-11-23T03:30:00Z INF Requesting new quick Tunnel on trycloudflare.com...\n"
        "LOG\n";
    const QByteArray box =
        "cat >&2 <<'LOG'\n"
        "2025-11-23T03:30:01Z INF "
        "+-----------------------------------------------------------------------------------------"
        "---+\n"
        "2025-11-23T03:30:01Z INF |  Your quick Tunnel has been created! Visit it at (it may take "
        "some time to be reachable):  |\n"
        "2025-11-23T03:30:01Z INF |  https://seasonal-deck-organisms-sf.trycloudflare.com          "
        "                            |\n"
        "2025-11-23T03:30:01Z INF "
        "+-----------------------------------------------------------------------------------------"
        "---+\n"
        "2025-11-23T03:30:01Z INF Cannot determine default configuration path. No file [config.yml "
        "config.yaml] in [~/.cloudflared ~/.cloudflare-warp ~/cloudflare-warp /etc/cloudflared "
        "/usr/local/etc/cloudflared]\n"
        "2025-11-23T03:30:01Z INF Version 2025.11.1\n"
        "2025-11-23T03:30:01Z INF Starting metrics server on 127.0.0.1:45679/metrics\n"
        "2025-11-23T03:30:02Z INF Registered tunnel connection connIndex=0 "
        "connection=6f0d2a55-1b8e-4c8e-9a43-1c1d3e0b8d11 event=0 ip=198.41.200.13 location=ams08 "
        "protocol=quic\n"
        "LOG\n";
    const QByteArray apiError =
        "cat >&2 <<'LOG'\n"
        "2025-11-23T03:30:01Z ERR Error requesting quick Tunnel error=\"failed to request quick "
        "Tunnel: Post \\\"https://api.trycloudflare.com/tunnel\\\": dial tcp: lookup "
        "api.trycloudflare.com on 127.0.0.53:53: server misbehaving\"\n"
        "failed to request quick Tunnel: Post \"https://api.trycloudflare.com/tunnel\": dial tcp: "
        "lookup api.trycloudflare.com on 127.0.0.53:53: server misbehaving\n"
        "LOG\n";
    QByteArray script = intro;
    switch (variant) {
    case StandIn::Works:
        script += box + "exec sleep 60\n";
        break;
    case StandIn::NoUrl:
        script += "exec sleep 60\n";
        break;
    case StandIn::Fails:
        script += apiError + "exit 1\n";
        break;
    case StandIn::DiesLater:
        script += box + "sleep 0.3\n"
                        "echo '2025-11-23T03:30:05Z ERR Connection terminated error=\"lost "
                        "connection to the edge\"' >&2\n"
                        "exit 1\n";
        break;
    }
    const QString path = QDir(dir).filePath(QStringLiteral("cloudflared"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(script) != script.size())
        return {};
    file.close();
    if (!file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner))
        return {};
    return path;
}

} // namespace kt::test
