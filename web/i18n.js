// Translations for every page Tether shows in a browser (customer page,
// technician console, first-time setup) and the small machinery around them:
// choosing the language, the EN/DE switch, and re-translating the page when
// the language changes.
//
// Static text is marked up with data attributes and filled in by applyI18n():
//   data-i18n="key"                 textContent
//   data-i18n-params='{"name":"…"}'  parameters for {placeholders}
//   data-i18n-placeholder / -title / -aria-label="key"   attributes
//   data-fmt="time|datetime|size|duration" data-value="…"  locale-formatted values
// Dynamic code calls setText(el, key, params) so a later language switch
// re-translates what it wrote as well.

const STORAGE_KEY = 'tether.lang';
export const LANGUAGES = ['en', 'de'];

const en = {
  'brand.name': 'Tether',
  'brand.support': 'Remote Support',
  'brand.console': 'Technician Console',
  'lang.label': 'Language',
  'lang.en': 'English',
  'lang.de': 'Deutsch',

  'conn.connecting': 'Connecting…',
  'conn.online': 'Connected',
  'conn.reconnecting': 'Reconnecting…',
  'conn.closed': 'Disconnected',

  'dialog.cancel': 'Cancel',
  'common.loading': 'Loading…',
  'common.customer': 'Customer',

  'end.button': 'End session',
  'end.confirmTitle': 'End this session?',
  'end.confirmTextCustomer': 'The chat closes for you and your technician at once. To get help again you will need a new support key.',
  'end.confirmTextTech': 'The chat closes for you and the customer at once. The support key cannot be used again.',
  'end.confirmOk': 'End session',
  'end.ending': 'Ending…',

  'chat.messages': 'Messages',
  'chat.label': 'Message',
  'chat.placeholder': 'Type a message…',
  'chat.send': 'Send',
  'chat.hint': 'Enter sends · Shift+Enter adds a new line',
  'chat.sending': 'Sending…',
  'chat.you': 'You',
  'chat.sendFile': 'Send file',

  'ev.created': '{name} started the session',
  'ev.createdAnon': 'The session was started',
  'ev.key_used': 'The support key was used',
  'ev.joined': '{name} joined the session',
  'ev.joinedAnon': 'The customer joined the session',
  'ev.joinedYou': 'You joined the session',
  'ev.other': 'Event: {kind}',
  'ev.access.requested.tech.view': 'You asked to see the screen',
  'ev.access.requested.tech.control': 'You asked for remote control',
  'ev.access.requested.customer.view': '{name} asks to see your screen',
  'ev.access.requested.customer.control': '{name} asks to see and control your screen',
  'ev.access.downloaded.tech': 'The customer downloaded the support app',
  'ev.access.downloaded.customer': 'You downloaded the support app',
  'ev.access.appConnected': 'The support app connected',
  'ev.access.appConnectedHost': 'The support app connected ({host})',
  'ev.access.appDisconnected': 'The support app disconnected',
  'ev.access.granted.tech.view': '{name} allowed screen view',
  'ev.access.granted.tech.control': '{name} allowed remote control',
  'ev.access.granted.customer.view': 'You allowed screen view',
  'ev.access.granted.customer.control': 'You allowed remote control',
  'ev.access.denied.tech.view': '{name} denied screen view',
  'ev.access.denied.tech.control': '{name} denied remote control',
  'ev.access.denied.customer.view': 'You denied screen view',
  'ev.access.denied.customer.control': 'You denied remote control',
  'ev.access.revoked.tech.customer': 'The customer stopped screen sharing',
  'ev.access.revoked.tech.technician': 'You stopped viewing the screen',
  'ev.access.revoked.tech.app_left': 'Screen sharing ended: the support app was closed',
  'ev.access.revoked.tech.session_ended': 'Screen sharing ended with the session',
  'ev.access.revoked.tech.other': 'Screen sharing ended',
  'ev.access.revoked.customer.customer': 'You stopped screen sharing',
  'ev.access.revoked.customer.technician': 'Your technician stopped viewing your screen',
  'ev.access.revoked.customer.app_left': 'Screen sharing ended: the support app was closed',
  'ev.access.revoked.customer.session_ended': 'Screen sharing ended with the session',
  'ev.access.revoked.customer.other': 'Screen sharing ended',
  'ev.access.cancelled.tech': 'You withdrew the request',
  'ev.access.cancelled.customer': 'Your technician withdrew the request',
  'file.sent': '{name} sent a file',
  'file.download': 'Download',

  'reason.customer.technician': 'Your technician ended the session.',
  'reason.customer.customer': 'You ended the session.',
  'reason.customer.key_expired': 'The support key expired.',
  'reason.technician.technician': 'You ended the session.',
  'reason.technician.customer': 'The customer ended the session.',
  'reason.technician.key_expired': 'The support key expired before the customer joined.',
  'reason.unknown': 'The session ended.',
  'reason.short.technician': 'Technician',
  'reason.short.customer': 'Customer',
  'reason.short.key_expired': 'Key expired',
  'ended.title': 'This session has ended',
  'ended.customerHint': 'Need more help? Ask your technician for a new support key.',
  'ended.customerLink': 'Go to the support website',
  'ended.techHint': 'The transcript stays in the history. Close this tab with its ×.',

  'err.network': 'The server cannot be reached. Please check your connection and try again.',
  'err.generic': 'Something went wrong ({code}). Please try again.',
  'err.unauthorized': 'You are no longer signed in. Please sign in again.',
  'err.forbidden': 'You do not have access to this.',
  'err.message_too_long': 'This message is too long. Please shorten it.',
  'err.message_too_long_max': 'This message is too long. A message can have at most {max} characters.',
  'err.empty_message': 'The message is empty.',
  'err.session_ended': 'The session has already ended.',
  'err.bad_frame': 'The server did not understand the message.',
  'err.file_too_large': 'The file is too large.',
  'err.file_too_large_max': 'The file is too large. Files can have at most {max}.',
  'err.file_removed': 'This file is no longer available.',
  'err.not_found': 'Not found.',
  'err.already_requested': 'A request is already waiting for the customer\'s answer.',
  'err.already_granted': 'The customer has already granted this access.',
  'err.not_shared': 'The screen is not being shared.',
  'err.no_such_request': 'There is no request waiting for an answer.',
  'err.no_control': 'Input was not sent: the customer has not granted remote control.',

  'wait.seconds': '{n} seconds',
  'wait.second': '1 second',
  'wait.minutes': '{m} min {s} s',
  'wait.minutesOnly': '{m} minutes',
  'wait.minuteOnly': '1 minute',

  // Customer: support website and join link.
  'join.pageTitle': 'Join a support session – Tether',
  'join.heading': 'Join a support session',
  'join.intro': 'Enter the 9-digit support key your technician gave you.',
  'join.introLink': 'Your technician has invited you. Enter your name and click Join.',
  'join.keyLabel': 'Support key',
  'join.nameLabel': 'Your name (optional)',
  'join.namePlaceholder': 'e.g. Alex Miller',
  'join.submit': 'Join',
  'join.joining': 'Joining…',
  'join.note': 'No download and no account needed. You stay in control and can end the session at any time.',
  'join.err.invalid_key': 'A support key has exactly 9 digits. Please check what you entered.',
  'join.err.unknown_key': 'This support key is not known. Please check the digits or ask your technician for a new key.',
  'join.err.key_expired': 'This support key has expired. Please ask your technician for a new key.',
  'join.err.key_used': 'This support key has already been used. Please ask your technician for a new key.',
  'join.err.too_many_attempts': 'Too many attempts. Please wait {time} before you try again.',
  'join.err.too_many_attempts_over': 'Too many attempts. You can try again now.',

  // Customer: the chat.
  'chat.pageTitle': 'Support session – Tether',
  'chat.yourTech': 'Your technician: {name}',
  'chat.unavailableTitle': 'This session is not available in this browser',
  'chat.unavailableText': 'Open the link from your technician again, or enter your support key on the support website.',
  'chat.unavailableLink': 'Go to the support website',
  'request.title.view': '{name} asks to see your screen',
  'request.title.control': '{name} asks to see and control your screen',
  'request.step1': 'Click DOWNLOAD APPLICATION',
  'request.step2': 'Open the downloaded program',
  'request.download': 'DOWNLOAD APPLICATION',
  'request.linux': 'Open a terminal in your Downloads folder and run:',
  'request.unsupported': 'The support app for your system is coming soon — your technician can keep helping you by chat.',
  'request.answer': 'Please answer the question in the Tether window on your screen (Allow or Deny).',
  'request.note': 'Nothing is shared until you click Allow in the Tether window. You can stop at any time.',
  'sharing.view': '{name} can see your screen',
  'sharing.control': '{name} can see and control your screen',
  'sharing.stop': 'Stop screen sharing',

  // Console.
  'console.pageTitle': 'Technician Console – Tether',
  'login.heading': 'Sign in',
  'login.intro': 'Sign in to the technician console with your Tether account.',
  'login.email': 'E-mail address',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.signingIn': 'Signing in…',
  'login.err.invalid_credentials': 'The e-mail address or the password is wrong.',
  'login.err.throttled': 'Too many failed sign-ins. Please wait {secs} seconds and try again.',
  'nav.sessions': 'Sessions',
  'nav.history': 'History',
  'nav.signOut': 'Sign out',
  'nav.user': 'Signed in as {name}',
  'tabs.label': 'Open sessions',
  'tabs.start': 'Start',
  'tabs.close': 'Close tab',
  'tabs.closeLiveTitle': 'This session is still running',
  'tabs.closeLiveText': 'Closing the tab ends the session for you and the customer. End it and close the tab?',
  'tabs.closeLiveOk': 'End and close',
  'start.heading': 'Start a support session',
  'start.intro': 'A new session creates a 9-digit support key. It can be used once, within {time}. Send the customer the link or read the key out over the phone.',
  'start.requestRc': 'Request remote control when the customer arrives',
  'start.requestRcHint': 'Leave this unchecked for a chat-only session.',
  'start.button': 'Start session',
  'start.starting': 'Starting…',
  'session.heading': 'Session with {name}',
  'session.headingWaiting': 'Session {key}',
  'session.key': 'Support key',
  'session.validFor': 'Valid for {time}',
  'session.expired': 'Expired',
  'session.status.waiting': 'Waiting for the customer…',
  'session.status.keyExpired': 'The support key has expired – start a new session to invite the customer',
  'session.status.online': 'Customer connected ({name})',
  'session.status.offline': 'Customer offline ({name})',
  'session.status.onlineAnon': 'Customer connected',
  'session.status.offlineAnon': 'Customer offline',
  'session.status.ended.technician': 'Session ended by you',
  'session.status.ended.customer': 'Session ended by the customer',
  'session.status.ended.key_expired': 'Session ended – the key expired before the customer joined',
  'session.status.endedUnknown': 'Session ended',
  'invite.heading': 'Invite the customer',
  'invite.link': 'Join link',
  'invite.copy': 'Copy link',
  'invite.copied': 'Copied',
  'invite.copyFailed': 'Could not copy – select the link and copy it by hand.',
  'invite.website': 'or ask the customer to open {website} and enter the key',
  'invite.email': 'E-mail',
  'invite.mailSubject': 'Your remote support session',
  'invite.mailBody': 'Hello,\n\nplease open this link to join the support session:\n{link}\n\nOr open {website} and enter the support key {key}.\n\nKind regards\n{name}',
  'rc.pending': 'Remote control will be requested when the customer arrives.',
  'access.toolbar': 'Screen access',
  'access.remoteControl': 'REMOTE CONTROL',
  'access.screenView': 'Screen view',
  'access.cancel': 'Cancel request',
  'access.stop': 'Stop viewing',
  'access.ctrlAltDel': 'Ctrl+Alt+Del',
  'access.ctrlAltDelTitle': 'Send Ctrl+Alt+Del to the customer\'s computer',
  'access.fit': 'Fit to window',
  'access.actualSize': 'Actual size (1:1)',
  'access.monitor': 'Monitor',
  'access.monitorPrimary': '{name} (main)',
  'access.status.view': 'Viewing',
  'access.status.control': 'Remote control',
  'access.fps': '{n} fps',
  'access.waitingPicture': 'Waiting for the picture…',
  'access.requestControlBar': 'Click to request remote control',
  'access.viewerLabel': 'The customer\'s screen',
  'flow.label': 'Guided flow',
  'flow.title.view': 'Screen view',
  'flow.title.control': 'Remote control',
  'flow.step.request_sent': 'Request sent',
  'flow.step.download_started': 'Download started',
  'flow.step.app_connected': 'App connected',
  'flow.step.awaiting_consent': 'Waiting for the customer\'s consent',
  'flow.step.active': 'Active',
  'flow.step.denied': 'Denied',
  'flow.hint.request_sent': 'Ask the customer to click DOWNLOAD APPLICATION in their chat',
  'flow.hint.download_started': 'Ask the customer to run the downloaded program',
  'flow.hint.app_connected': 'Waiting for the customer to click Allow',
  'flow.hint.awaiting_consent': 'Waiting for the customer to click Allow',
  'flow.hint.active.view': 'The customer allowed screen view.',
  'flow.hint.active.control': 'The customer allowed remote control.',
  'flow.hint.denied': 'The customer denied the request. You can ask again.',
  'flow.dismiss': 'Close',
  'chat.heading': 'Chat',
  'upload.progress': 'Sending {name} – {pct} %',
  'upload.failed': '{name} could not be sent: {reason}',
  'history.heading': 'Session history',
  'history.intro': 'Your ended sessions, newest first. Select one to read its transcript.',
  'history.date': 'Date',
  'history.customer': 'Customer',
  'history.duration': 'Duration',
  'history.reason': 'Ended by',
  'history.key': 'Key',
  'history.empty': 'No ended sessions yet.',
  'history.select': 'Select a session to see its transcript.',
  'history.transcript': 'Transcript and audit trail',
  'history.refresh': 'Refresh',
  'history.started': 'Started',
  'history.ended': 'Ended',
  'history.technician': 'Technician',

  // First-time setup.
  'setup.pageTitle': 'Set up Tether',
  'setup.heading': 'Create the first administrator',
  'setup.intro': 'This account manages Tether and can also help customers as a technician.',
  'setup.name': 'Full name',
  'setup.email': 'E-mail address',
  'setup.password': 'Password',
  'setup.password2': 'Repeat password',
  'setup.submit': 'Create administrator',
  'setup.creating': 'Creating…',
  'setup.err.mismatch': 'The two passwords do not match.',
  'setup.err.noToken': 'This setup address has no token. Open the address that “tether serve” printed when it started.',
  'setup.err.setup_closed': 'Setup is already complete. Please sign in to the console.',
  'setup.err.invalid_token': 'The setup token is not valid. Use the address that the server printed most recently.',
  'setup.done': 'The administrator account has been created.',
  'setup.toConsole': 'Open the technician console',
};

const de = {
  'brand.name': 'Tether',
  'brand.support': 'Fernsupport',
  'brand.console': 'Technikerkonsole',
  'lang.label': 'Sprache',
  'lang.en': 'English',
  'lang.de': 'Deutsch',

  'conn.connecting': 'Verbindung wird aufgebaut…',
  'conn.online': 'Verbunden',
  'conn.reconnecting': 'Verbindung wird wiederhergestellt…',
  'conn.closed': 'Getrennt',

  'dialog.cancel': 'Abbrechen',
  'common.loading': 'Wird geladen…',
  'common.customer': 'Kunde',

  'end.button': 'Sitzung beenden',
  'end.confirmTitle': 'Diese Sitzung beenden?',
  'end.confirmTextCustomer': 'Der Chat wird für Sie und Ihren Techniker sofort geschlossen. Für weitere Hilfe brauchen Sie einen neuen Supportschlüssel.',
  'end.confirmTextTech': 'Der Chat wird für Sie und den Kunden sofort geschlossen. Der Supportschlüssel kann nicht erneut verwendet werden.',
  'end.confirmOk': 'Sitzung beenden',
  'end.ending': 'Wird beendet…',

  'chat.messages': 'Nachrichten',
  'chat.label': 'Nachricht',
  'chat.placeholder': 'Nachricht eingeben…',
  'chat.send': 'Senden',
  'chat.hint': 'Eingabetaste sendet · Umschalt+Eingabe für eine neue Zeile',
  'chat.sending': 'Wird gesendet…',
  'chat.you': 'Sie',
  'chat.sendFile': 'Datei senden',

  'ev.created': '{name} hat die Sitzung gestartet',
  'ev.createdAnon': 'Die Sitzung wurde gestartet',
  'ev.key_used': 'Der Supportschlüssel wurde verwendet',
  'ev.joined': '{name} ist der Sitzung beigetreten',
  'ev.joinedAnon': 'Der Kunde ist der Sitzung beigetreten',
  'ev.joinedYou': 'Sie sind der Sitzung beigetreten',
  'ev.other': 'Ereignis: {kind}',
  'ev.access.requested.tech.view': 'Sie haben um die Bildschirmanzeige gebeten',
  'ev.access.requested.tech.control': 'Sie haben die Fernsteuerung angefordert',
  'ev.access.requested.customer.view': '{name} möchte Ihren Bildschirm sehen',
  'ev.access.requested.customer.control': '{name} möchte Ihren Bildschirm sehen und steuern',
  'ev.access.downloaded.tech': 'Der Kunde hat die Support-App heruntergeladen',
  'ev.access.downloaded.customer': 'Sie haben die Support-App heruntergeladen',
  'ev.access.appConnected': 'Die Support-App ist verbunden',
  'ev.access.appConnectedHost': 'Die Support-App ist verbunden ({host})',
  'ev.access.appDisconnected': 'Die Support-App wurde getrennt',
  'ev.access.granted.tech.view': '{name} hat die Bildschirmanzeige erlaubt',
  'ev.access.granted.tech.control': '{name} hat die Fernsteuerung erlaubt',
  'ev.access.granted.customer.view': 'Sie haben die Bildschirmanzeige erlaubt',
  'ev.access.granted.customer.control': 'Sie haben die Fernsteuerung erlaubt',
  'ev.access.denied.tech.view': '{name} hat die Bildschirmanzeige abgelehnt',
  'ev.access.denied.tech.control': '{name} hat die Fernsteuerung abgelehnt',
  'ev.access.denied.customer.view': 'Sie haben die Bildschirmanzeige abgelehnt',
  'ev.access.denied.customer.control': 'Sie haben die Fernsteuerung abgelehnt',
  'ev.access.revoked.tech.customer': 'Der Kunde hat die Bildschirmfreigabe beendet',
  'ev.access.revoked.tech.technician': 'Sie haben die Bildschirmanzeige beendet',
  'ev.access.revoked.tech.app_left': 'Bildschirmfreigabe beendet: Die Support-App wurde geschlossen',
  'ev.access.revoked.tech.session_ended': 'Die Bildschirmfreigabe endete mit der Sitzung',
  'ev.access.revoked.tech.other': 'Die Bildschirmfreigabe wurde beendet',
  'ev.access.revoked.customer.customer': 'Sie haben die Bildschirmfreigabe beendet',
  'ev.access.revoked.customer.technician': 'Ihr Techniker sieht Ihren Bildschirm nicht mehr',
  'ev.access.revoked.customer.app_left': 'Bildschirmfreigabe beendet: Die Support-App wurde geschlossen',
  'ev.access.revoked.customer.session_ended': 'Die Bildschirmfreigabe endete mit der Sitzung',
  'ev.access.revoked.customer.other': 'Die Bildschirmfreigabe wurde beendet',
  'ev.access.cancelled.tech': 'Sie haben die Anfrage zurückgezogen',
  'ev.access.cancelled.customer': 'Ihr Techniker hat die Anfrage zurückgezogen',
  'file.sent': '{name} hat eine Datei gesendet',
  'file.download': 'Herunterladen',

  'reason.customer.technician': 'Ihr Techniker hat die Sitzung beendet.',
  'reason.customer.customer': 'Sie haben die Sitzung beendet.',
  'reason.customer.key_expired': 'Der Supportschlüssel ist abgelaufen.',
  'reason.technician.technician': 'Sie haben die Sitzung beendet.',
  'reason.technician.customer': 'Der Kunde hat die Sitzung beendet.',
  'reason.technician.key_expired': 'Der Supportschlüssel ist abgelaufen, bevor der Kunde beigetreten ist.',
  'reason.unknown': 'Die Sitzung wurde beendet.',
  'reason.short.technician': 'Techniker',
  'reason.short.customer': 'Kunde',
  'reason.short.key_expired': 'Schlüssel abgelaufen',
  'ended.title': 'Diese Sitzung wurde beendet',
  'ended.customerHint': 'Sie brauchen weitere Hilfe? Bitten Sie Ihren Techniker um einen neuen Supportschlüssel.',
  'ended.customerLink': 'Zur Supportwebsite',
  'ended.techHint': 'Das Protokoll bleibt im Verlauf erhalten. Schließen Sie diesen Tab mit dem ×.',

  'err.network': 'Der Server ist nicht erreichbar. Bitte prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
  'err.generic': 'Etwas ist schiefgegangen ({code}). Bitte versuchen Sie es erneut.',
  'err.unauthorized': 'Sie sind nicht mehr angemeldet. Bitte melden Sie sich erneut an.',
  'err.forbidden': 'Sie haben hierauf keinen Zugriff.',
  'err.message_too_long': 'Diese Nachricht ist zu lang. Bitte kürzen Sie sie.',
  'err.message_too_long_max': 'Diese Nachricht ist zu lang. Eine Nachricht darf höchstens {max} Zeichen haben.',
  'err.empty_message': 'Die Nachricht ist leer.',
  'err.session_ended': 'Die Sitzung wurde bereits beendet.',
  'err.bad_frame': 'Der Server hat die Nachricht nicht verstanden.',
  'err.file_too_large': 'Die Datei ist zu groß.',
  'err.file_too_large_max': 'Die Datei ist zu groß. Dateien dürfen höchstens {max} groß sein.',
  'err.file_removed': 'Diese Datei ist nicht mehr verfügbar.',
  'err.not_found': 'Nicht gefunden.',
  'err.already_requested': 'Eine Anfrage wartet bereits auf die Antwort des Kunden.',
  'err.already_granted': 'Der Kunde hat diesen Zugriff bereits erlaubt.',
  'err.not_shared': 'Der Bildschirm wird nicht freigegeben.',
  'err.no_such_request': 'Es wartet keine Anfrage auf eine Antwort.',
  'err.no_control': 'Die Eingabe wurde nicht gesendet: Der Kunde hat die Fernsteuerung nicht erlaubt.',

  'wait.seconds': '{n} Sekunden',
  'wait.second': '1 Sekunde',
  'wait.minutes': '{m} Min. {s} Sek.',
  'wait.minutesOnly': '{m} Minuten',
  'wait.minuteOnly': '1 Minute',

  'join.pageTitle': 'An einer Supportsitzung teilnehmen – Tether',
  'join.heading': 'An einer Supportsitzung teilnehmen',
  'join.intro': 'Geben Sie den 9-stelligen Supportschlüssel ein, den Ihnen Ihr Techniker genannt hat.',
  'join.introLink': 'Ihr Techniker hat Sie eingeladen. Geben Sie Ihren Namen ein und klicken Sie auf „Teilnehmen“.',
  'join.keyLabel': 'Supportschlüssel',
  'join.nameLabel': 'Ihr Name (optional)',
  'join.namePlaceholder': 'z. B. Alex Müller',
  'join.submit': 'Teilnehmen',
  'join.joining': 'Verbindung wird hergestellt…',
  'join.note': 'Kein Download und kein Konto nötig. Sie behalten die Kontrolle und können die Sitzung jederzeit beenden.',
  'join.err.invalid_key': 'Ein Supportschlüssel hat genau 9 Ziffern. Bitte prüfen Sie Ihre Eingabe.',
  'join.err.unknown_key': 'Dieser Supportschlüssel ist nicht bekannt. Bitte prüfen Sie die Ziffern oder bitten Sie Ihren Techniker um einen neuen Schlüssel.',
  'join.err.key_expired': 'Dieser Supportschlüssel ist abgelaufen. Bitte bitten Sie Ihren Techniker um einen neuen Schlüssel.',
  'join.err.key_used': 'Dieser Supportschlüssel wurde bereits verwendet. Bitte bitten Sie Ihren Techniker um einen neuen Schlüssel.',
  'join.err.too_many_attempts': 'Zu viele Versuche. Bitte warten Sie {time}, bevor Sie es erneut versuchen.',
  'join.err.too_many_attempts_over': 'Zu viele Versuche. Sie können es jetzt erneut versuchen.',

  'chat.pageTitle': 'Supportsitzung – Tether',
  'chat.yourTech': 'Ihr Techniker: {name}',
  'chat.unavailableTitle': 'Diese Sitzung ist in diesem Browser nicht verfügbar',
  'chat.unavailableText': 'Öffnen Sie den Link Ihres Technikers erneut oder geben Sie Ihren Supportschlüssel auf der Supportwebsite ein.',
  'chat.unavailableLink': 'Zur Supportwebsite',
  'request.title.view': '{name} möchte Ihren Bildschirm sehen',
  'request.title.control': '{name} möchte Ihren Bildschirm sehen und steuern',
  'request.step1': 'Klicken Sie auf ANWENDUNG HERUNTERLADEN',
  'request.step2': 'Öffnen Sie das heruntergeladene Programm',
  'request.download': 'ANWENDUNG HERUNTERLADEN',
  'request.linux': 'Öffnen Sie ein Terminal in Ihrem Download-Ordner und führen Sie aus:',
  'request.unsupported': 'Die Support-App für Ihr System folgt in Kürze – Ihr Techniker kann Ihnen weiter per Chat helfen.',
  'request.answer': 'Bitte beantworten Sie die Frage im Tether-Fenster auf Ihrem Bildschirm (Erlauben oder Ablehnen).',
  'request.note': 'Nichts wird freigegeben, bevor Sie im Tether-Fenster auf „Erlauben“ klicken. Sie können jederzeit aufhören.',
  'sharing.view': '{name} kann Ihren Bildschirm sehen',
  'sharing.control': '{name} kann Ihren Bildschirm sehen und steuern',
  'sharing.stop': 'Bildschirmfreigabe beenden',

  'console.pageTitle': 'Technikerkonsole – Tether',
  'login.heading': 'Anmelden',
  'login.intro': 'Melden Sie sich mit Ihrem Tether-Konto bei der Technikerkonsole an.',
  'login.email': 'E-Mail-Adresse',
  'login.password': 'Passwort',
  'login.submit': 'Anmelden',
  'login.signingIn': 'Anmeldung läuft…',
  'login.err.invalid_credentials': 'E-Mail-Adresse oder Passwort ist falsch.',
  'login.err.throttled': 'Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie {secs} Sekunden und versuchen Sie es erneut.',
  'nav.sessions': 'Sitzungen',
  'nav.history': 'Verlauf',
  'nav.signOut': 'Abmelden',
  'nav.user': 'Angemeldet als {name}',
  'tabs.label': 'Offene Sitzungen',
  'tabs.start': 'Start',
  'tabs.close': 'Tab schließen',
  'tabs.closeLiveTitle': 'Diese Sitzung läuft noch',
  'tabs.closeLiveText': 'Wenn Sie den Tab schließen, endet die Sitzung für Sie und den Kunden. Sitzung beenden und Tab schließen?',
  'tabs.closeLiveOk': 'Beenden und schließen',
  'start.heading': 'Supportsitzung starten',
  'start.intro': 'Eine neue Sitzung erzeugt einen 9-stelligen Supportschlüssel. Er kann einmal verwendet werden, innerhalb von {time}. Senden Sie dem Kunden den Link oder nennen Sie ihm den Schlüssel am Telefon.',
  'start.requestRc': 'Bei Eintreffen des Kunden Fernsteuerung anfordern',
  'start.requestRcHint': 'Für eine reine Chatsitzung nicht aktivieren.',
  'start.button': 'Sitzung starten',
  'start.starting': 'Wird gestartet…',
  'session.heading': 'Sitzung mit {name}',
  'session.headingWaiting': 'Sitzung {key}',
  'session.key': 'Supportschlüssel',
  'session.validFor': 'Noch {time} gültig',
  'session.expired': 'Abgelaufen',
  'session.status.waiting': 'Warten auf den Kunden…',
  'session.status.keyExpired': 'Der Supportschlüssel ist abgelaufen – starten Sie eine neue Sitzung, um den Kunden einzuladen',
  'session.status.online': 'Kunde verbunden ({name})',
  'session.status.offline': 'Kunde offline ({name})',
  'session.status.onlineAnon': 'Kunde verbunden',
  'session.status.offlineAnon': 'Kunde offline',
  'session.status.ended.technician': 'Von Ihnen beendet',
  'session.status.ended.customer': 'Vom Kunden beendet',
  'session.status.ended.key_expired': 'Beendet – der Schlüssel ist abgelaufen, bevor der Kunde beigetreten ist',
  'session.status.endedUnknown': 'Sitzung beendet',
  'invite.heading': 'Kunden einladen',
  'invite.link': 'Teilnahmelink',
  'invite.copy': 'Link kopieren',
  'invite.copied': 'Kopiert',
  'invite.copyFailed': 'Kopieren nicht möglich – markieren Sie den Link und kopieren Sie ihn von Hand.',
  'invite.website': 'oder bitten Sie den Kunden, {website} zu öffnen und den Schlüssel einzugeben',
  'invite.email': 'E-Mail',
  'invite.mailSubject': 'Ihre Fernsupport-Sitzung',
  'invite.mailBody': 'Guten Tag,\n\nbitte öffnen Sie diesen Link, um an der Supportsitzung teilzunehmen:\n{link}\n\nOder öffnen Sie {website} und geben Sie den Supportschlüssel {key} ein.\n\nMit freundlichen Grüßen\n{name}',
  'rc.pending': 'Die Fernsteuerung wird angefordert, sobald der Kunde eintrifft.',
  'access.toolbar': 'Bildschirmzugriff',
  'access.remoteControl': 'FERNSTEUERUNG',
  'access.screenView': 'Bildschirmanzeige',
  'access.cancel': 'Anfrage zurückziehen',
  'access.stop': 'Anzeige beenden',
  'access.ctrlAltDel': 'Strg+Alt+Entf',
  'access.ctrlAltDelTitle': 'Strg+Alt+Entf an den Computer des Kunden senden',
  'access.fit': 'An Fenster anpassen',
  'access.actualSize': 'Originalgröße (1:1)',
  'access.monitor': 'Bildschirm',
  'access.monitorPrimary': '{name} (Hauptbildschirm)',
  'access.status.view': 'Bildschirmanzeige',
  'access.status.control': 'Fernsteuerung',
  'access.fps': '{n} Bilder/s',
  'access.waitingPicture': 'Warten auf das Bild…',
  'access.requestControlBar': 'Zum Anfordern der Fernsteuerung klicken',
  'access.viewerLabel': 'Der Bildschirm des Kunden',
  'flow.label': 'Geführter Ablauf',
  'flow.title.view': 'Bildschirmanzeige',
  'flow.title.control': 'Fernsteuerung',
  'flow.step.request_sent': 'Anfrage gesendet',
  'flow.step.download_started': 'Download gestartet',
  'flow.step.app_connected': 'App verbunden',
  'flow.step.awaiting_consent': 'Warten auf die Zustimmung des Kunden',
  'flow.step.active': 'Aktiv',
  'flow.step.denied': 'Abgelehnt',
  'flow.hint.request_sent': 'Bitten Sie den Kunden, in seinem Chat auf ANWENDUNG HERUNTERLADEN zu klicken',
  'flow.hint.download_started': 'Bitten Sie den Kunden, das heruntergeladene Programm auszuführen',
  'flow.hint.app_connected': 'Warten, bis der Kunde auf „Erlauben“ klickt',
  'flow.hint.awaiting_consent': 'Warten, bis der Kunde auf „Erlauben“ klickt',
  'flow.hint.active.view': 'Der Kunde hat die Bildschirmanzeige erlaubt.',
  'flow.hint.active.control': 'Der Kunde hat die Fernsteuerung erlaubt.',
  'flow.hint.denied': 'Der Kunde hat die Anfrage abgelehnt. Sie können erneut fragen.',
  'flow.dismiss': 'Schließen',
  'chat.heading': 'Chat',
  'upload.progress': '{name} wird gesendet – {pct} %',
  'upload.failed': '{name} konnte nicht gesendet werden: {reason}',
  'history.heading': 'Sitzungsverlauf',
  'history.intro': 'Ihre beendeten Sitzungen, die neueste zuerst. Wählen Sie eine aus, um ihr Protokoll zu lesen.',
  'history.date': 'Datum',
  'history.customer': 'Kunde',
  'history.duration': 'Dauer',
  'history.reason': 'Beendet durch',
  'history.key': 'Schlüssel',
  'history.empty': 'Noch keine beendeten Sitzungen.',
  'history.select': 'Wählen Sie eine Sitzung aus, um ihr Protokoll zu sehen.',
  'history.transcript': 'Protokoll und Prüfpfad',
  'history.refresh': 'Aktualisieren',
  'history.started': 'Begonnen',
  'history.ended': 'Beendet',
  'history.technician': 'Techniker',

  'setup.pageTitle': 'Tether einrichten',
  'setup.heading': 'Ersten Administrator anlegen',
  'setup.intro': 'Dieses Konto verwaltet Tether und kann als Techniker auch Kunden helfen.',
  'setup.name': 'Vollständiger Name',
  'setup.email': 'E-Mail-Adresse',
  'setup.password': 'Passwort',
  'setup.password2': 'Passwort wiederholen',
  'setup.submit': 'Administrator anlegen',
  'setup.creating': 'Wird angelegt…',
  'setup.err.mismatch': 'Die beiden Passwörter stimmen nicht überein.',
  'setup.err.noToken': 'Dieser Einrichtungsadresse fehlt das Token. Öffnen Sie die Adresse, die „tether serve“ beim Start ausgegeben hat.',
  'setup.err.setup_closed': 'Die Einrichtung ist bereits abgeschlossen. Bitte melden Sie sich bei der Konsole an.',
  'setup.err.invalid_token': 'Das Einrichtungstoken ist ungültig. Verwenden Sie die Adresse, die der Server zuletzt ausgegeben hat.',
  'setup.done': 'Das Administratorkonto wurde angelegt.',
  'setup.toConsole': 'Technikerkonsole öffnen',
};

const DICTS = { en, de };

function initialLanguage() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (LANGUAGES.includes(stored)) return stored;
  } catch { /* storage can be blocked; fall back to the browser's languages */ }
  const prefs = navigator.languages?.length ? navigator.languages : [navigator.language || 'en'];
  // The first language the browser prefers that we have wins; a German-speaking
  // user whose list starts with "de-AT" gets German, anyone else English.
  for (const tag of prefs) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (base === 'de') return 'de';
    if (base === 'en') return 'en';
  }
  return 'en';
}

let current = initialLanguage();
const listeners = new Set();

/** The active language code, `en` or `de`. */
export function lang() {
  return current;
}

/** A BCP 47 tag for Intl formatting in the active language. */
export function locale() {
  return current === 'de' ? 'de-DE' : 'en-GB';
}

/** Translates `key`, replacing `{name}` placeholders from `params`. */
export function t(key, params = {}) {
  const dict = DICTS[current] || en;
  let text = dict[key] ?? en[key];
  if (text === undefined) {
    console.warn(`i18n: missing key ${key}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** True when `key` has a translation (used to map error codes to messages). */
export function has(key) {
  return key in en;
}

/** Writes a translated text into `el` and remembers the key so that a
 *  language switch re-translates it. */
export function setText(el, key, params) {
  el.dataset.i18n = key;
  if (params && Object.keys(params).length) el.dataset.i18nParams = JSON.stringify(params);
  else delete el.dataset.i18nParams;
  el.textContent = t(key, params);
  return el;
}

/** Marks `el` as a locale-formatted value (`time`, `datetime`, `size`, `duration`). */
export function setFormatted(el, fmt, value) {
  el.dataset.fmt = fmt;
  el.dataset.value = String(value);
  el.textContent = format(fmt, value);
  return el;
}

export function format(fmt, value) {
  switch (fmt) {
    case 'time':
      return new Date(value).toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' });
    case 'datetime':
      return new Date(value).toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short' });
    case 'size':
      return formatSize(Number(value));
    case 'duration':
      return formatDuration(Number(value));
    default:
      return String(value);
  }
}

/** Human file size: 312.5 KB (binary multiples, as file managers show them). */
export function formatSize(bytes) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  const digits = i === 0 ? 0 : n < 10 ? 1 : 0;
  const num = new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(n);
  return `${num} ${units[i]}`;
}

/** Duration in seconds as h:mm:ss, or m:ss below an hour. */
export function formatDuration(totalSeconds) {
  const s = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** A waiting time in words: "45 seconds", "2 min 5 s". */
export function formatWait(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  if (s === 1) return t('wait.second');
  if (s < 60) return t('wait.seconds', { n: s });
  return t('wait.minutes', { m: Math.floor(s / 60), s: s % 60 });
}

/** A configured period in words: "60 minutes", "90 seconds". */
export function formatPeriod(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 60 && s % 60 === 0) return s === 60 ? t('wait.minuteOnly') : t('wait.minutesOnly', { m: s / 60 });
  return formatWait(s);
}

/** Re-translates every marked element below `root`. */
export function applyI18n(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) {
    let params;
    try {
      params = el.dataset.i18nParams ? JSON.parse(el.dataset.i18nParams) : undefined;
    } catch {
      params = undefined;
    }
    el.textContent = t(el.dataset.i18n, params);
  }
  for (const attr of ['placeholder', 'title', 'aria-label']) {
    const data = `data-i18n-${attr}`;
    for (const el of root.querySelectorAll(`[${data}]`)) el.setAttribute(attr, t(el.getAttribute(data)));
  }
  for (const el of root.querySelectorAll('[data-fmt]')) el.textContent = format(el.dataset.fmt, el.dataset.value);
  const titleKey = document.body?.dataset.titleKey;
  if (titleKey) document.title = t(titleKey);
  for (const btn of document.querySelectorAll('.lang-switch button')) {
    btn.setAttribute('aria-pressed', String(btn.dataset.lang === current));
  }
}

/** Switches the language, remembers it, and re-renders. */
export function setLanguage(code) {
  if (!LANGUAGES.includes(code) || code === current) return;
  current = code;
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch { /* the choice then lasts for this page only */ }
  applyI18n(document);
  for (const fn of listeners) fn(code);
}

/** Calls `fn(lang)` after every language switch. */
export function onLanguageChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Builds the EN/DE switch into `container`. */
export function mountLanguageSwitch(container) {
  const group = document.createElement('div');
  group.className = 'lang-switch';
  group.setAttribute('role', 'group');
  group.dataset.i18nAriaLabel = 'lang.label';
  group.setAttribute('aria-label', t('lang.label'));
  group.dataset.testid = 'lang-switch';
  for (const code of LANGUAGES) {
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.dataset.lang = code;
    btn.dataset.testid = `lang-${code}`;
    btn.textContent = code.toUpperCase();
    btn.dataset.i18nTitle = `lang.${code}`;
    btn.title = t(`lang.${code}`);
    btn.setAttribute('aria-pressed', String(code === current));
    btn.addEventListener('click', () => setLanguage(code));
    group.append(btn);
  }
  container.append(group);
  return group;
}

// Keep two open pages of the same browser in the same language.
window.addEventListener('storage', (e) => {
  if (e.key === STORAGE_KEY && LANGUAGES.includes(e.newValue)) setLanguage(e.newValue);
});

document.documentElement.lang = current;
