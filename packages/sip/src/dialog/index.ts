export {
  Dialog,
  type DialogRejection,
  type DialogRole,
  type DialogState,
  type InDialogRequestOptions,
  type ViaTemplate,
} from "./dialog.ts";
export { type DialogId, dialogIdOfRequest, dialogIdOfResponse } from "./dialog-id.ts";
export { DialogTable } from "./dialog-table.ts";
