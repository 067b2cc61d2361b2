import { Component, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

/** Incoming-call popup (a main component): caller, matched customers, open leads. */
export class DcxIncomingPopup extends Component {
    static template = "dcx_crm.DcxIncomingPopup";
    static props = {};

    setup() {
        this.phone = useService("dcx_phone");
        this.action = useService("action");
        this.state = useState(this.phone.state);
    }

    get incoming() {
        return this.state.incoming;
    }

    accept() {
        return this.phone.accept();
    }

    decline() {
        this.phone.decline();
    }

    enableSound() {
        return this.phone.retrySound();
    }

    openLead(lead) {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "crm.lead",
            res_id: lead.id,
            views: [[false, "form"]],
        });
    }
}

registry
    .category("main_components")
    .add("dcx_crm.DcxIncomingPopup", { Component: DcxIncomingPopup });
