import { Component, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

/** DCX's meeting client (the media part of the call) in a side panel or a dialog. */
export class DcxMeetingPanel extends Component {
    static template = "dcx_crm.DcxMeetingPanel";
    static props = {};

    setup() {
        this.phone = useService("dcx_phone");
        this.state = useState(this.phone.state);
        this.ui = useState({ collapsed: false });
    }

    get client() {
        return this.state.meetingClient;
    }

    toggle() {
        this.ui.collapsed = !this.ui.collapsed;
    }

    close() {
        this.phone.closeMeetingClient();
    }

    hangup() {
        this.phone.hangup();
    }
}

registry.category("main_components").add("dcx_crm.DcxMeetingPanel", { Component: DcxMeetingPanel });
