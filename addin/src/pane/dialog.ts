// Salesforce's sign-in in Office's dialog: the dialog reports how it ended with messageParent.
export function openDialog(url: string): Promise<{ status: string; code: string }> {
  return new Promise((resolve, reject) => {
    Office.context.ui.displayDialogAsync(url, { height: 60, width: 30, promptBeforeOpen: false }, (opened) => {
      if (opened.status !== Office.AsyncResultStatus.Succeeded) {
        reject(new Error(`The sign-in window could not open (${opened.error.code}). Allow pop-ups and try again.`));
        return;
      }
      const dialog = opened.value;
      dialog.addEventHandler(Office.EventType.DialogMessageReceived, (arg) => {
        dialog.close();
        const message = (arg as { message?: string }).message ?? "{}";
        resolve(JSON.parse(message));
      });
      dialog.addEventHandler(Office.EventType.DialogEventReceived, () =>
        reject(new Error("The sign-in window was closed before Salesforce was connected.")),
      );
    });
  });
}
