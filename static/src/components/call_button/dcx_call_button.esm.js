import { Component, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

/**
 * "Call with DCX" button. Used by the patched phone field (number = the field value)
 * and, through the `dcx_call_button` view widget, as the Call button of customers and
 * leads (number = mobile, else phone).
 */
export class DcxCallButton extends Component {
    static template = "dcx_crm.DcxCallButton";
    static props = {
        number: { type: String, optional: true },
        record: { type: Object, optional: true },
        label: { type: String, optional: true },
        compact: { type: Boolean, optional: true },
    };

    setup() {
        this.phone = useService("dcx_phone");
        this.state = useState(this.phone.state);
    }

    get visible() {
        return this.state.available && this.state.dialEnabled && Boolean(this.props.number);
    }

    get title() {
        return _t("Call %s with DCX", this.props.number || "");
    }

    async onClick(ev) {
        ev.stopPropagation();
        ev.preventDefault();
        const rec = this.props.record;
        let ref = null;
        if (rec && rec.resModel && rec.resId) {
            ref = {
                model: rec.resModel,
                id: rec.resId,
                display_name: rec.data.display_name || rec.data.name || "",
            };
        }
        await this.phone.dial(this.props.number, ref);
    }
}

/** View widget `<widget name="dcx_call_button"/>` for partner / lead forms. */
export class DcxCallButtonWidget extends Component {
    static template = "dcx_crm.DcxCallButtonWidget";
    static components = { DcxCallButton };
    static props = { ...standardWidgetProps };

    get number() {
        const data = this.props.record.data;
        return data.mobile || data.phone || "";
    }
}

registry.category("view_widgets").add("dcx_call_button", {
    component: DcxCallButtonWidget,
    fieldDependencies: [
        { name: "mobile", type: "char" },
        { name: "phone", type: "char" },
        { name: "display_name", type: "char" },
    ],
});
