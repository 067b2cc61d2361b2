import { patch } from "@web/core/utils/patch";
import { PhoneField } from "@web/views/fields/phone/phone_field";
import { DcxCallButton } from "@dcx_crm/components/call_button/dcx_call_button.esm";

/** Adds "Call with DCX" to every phone/mobile field (the tel: link stays as is). */
patch(PhoneField, {
    components: { ...PhoneField.components, DcxCallButton },
});
