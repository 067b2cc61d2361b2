import { Component, onWillUnmount, useState } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

export function formatDuration(ms) {
    const total = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    const mm = String(m).padStart(h ? 2 : 1, "0");
    const ss = String(s).padStart(2, "0");
    return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

const STATUS_LABELS = {
    connected: _t("DCX: connected"),
    connecting: _t("DCX: connecting…"),
    reconnecting: _t("DCX: reconnecting"),
    off: _t("DCX: off"),
    error: _t("DCX: error"),
};

/** Systray item: DCX status (with reason), ongoing call with timer and hang-up. */
export class DcxSystray extends Component {
    static template = "dcx_crm.DcxSystray";
    static props = {};

    setup() {
        this.phone = useService("dcx_phone");
        this.state = useState(this.phone.state);
        this.clock = useState({ now: Date.now() });
        this.interval = browser.setInterval(() => (this.clock.now = Date.now()), 1000);
        onWillUnmount(() => browser.clearInterval(this.interval));
    }

    get statusLabel() {
        return STATUS_LABELS[this.state.status] || this.state.status;
    }

    get title() {
        return this.state.reason ? `${this.statusLabel} — ${this.state.reason}` : this.statusLabel;
    }

    get elapsed() {
        const call = this.state.call;
        return call ? formatDuration(this.clock.now - call.startedAt) : "";
    }

    onHangup() {
        this.phone.hangup();
    }
}

registry
    .category("systray")
    .add("dcx_crm.systray", { Component: DcxSystray, isDisplayed: () => true }, { sequence: 40 });
