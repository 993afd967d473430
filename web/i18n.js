// Translations for every page Tether shows in a browser (customer page,
// technician console, admin center, first-time setup, set-password page) and
// the small machinery around them: choosing the language, the EN/DE switch,
// and re-translating the page when the language changes.
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
  'ev.access.requested.admin.view': '{name} asked to see the screen',
  'ev.access.requested.admin.control': '{name} asked for remote control',
  'ev.access.revoked.admin.technician': '{name} stopped viewing the screen',
  'ev.access.cancelled.admin': '{name} withdrew the request',
  'reason.admin.technician': 'The technician ended the session.',
  'reason.admin.customer': 'The customer ended the session.',
  'reason.admin.key_expired': 'The support key expired before the customer joined.',
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
  // Shared by the console and the admin center.
  'brand.admin': 'Admin Center',
  'dialog.close': 'Close',
  'common.copied': 'Copied',
  'common.copyFailed': 'Could not copy – select the text and copy it by hand.',
  'role.admin': 'Administrator',
  'role.technician': 'Technician',
  'nav.admin': 'Admin center',
  'login.notice.disabled': 'Your account was disabled by an administrator.',
  'login.notice.password_reset': 'Your password was changed. Please sign in with the new password.',
  'login.notice.signed_out': 'You were signed out. Please sign in again.',
  'invite.emailTitle': 'Opens your own mail program with the invitation filled in',

  // Two-factor sign-in.
  'twofa.heading': 'Two-factor sign-in',
  'twofa.intro': 'Enter the 6-digit code from the authenticator app on your phone.',
  'twofa.code': 'Code',
  'twofa.codeHint': 'The code changes every 30 seconds.',
  'twofa.recoveryCode': 'Recovery code',
  'twofa.recoveryHint': 'Each recovery code works once.',
  'twofa.useRecovery': 'Use a recovery code instead',
  'twofa.useCode': 'Use the code from the app instead',
  'twofa.verify': 'Verify',
  'twofa.back': 'Back to sign-in',
  'twofa.codesLeft': 'You signed in with a recovery code; {n} are left. Create new ones under your name at the top right.',
  'twofa.enrol.heading': 'Set up two-factor sign-in',
  'twofa.enrol.required': 'Your group requires two-factor sign-in. Set it up now to finish signing in.',
  'twofa.enrol.step1': 'Install an authenticator app on your phone, for example FreeOTP, Aegis, Google Authenticator or Microsoft Authenticator.',
  'twofa.enrol.step2': 'Scan this QR code with the app.',
  'twofa.enrol.step3': 'Enter the 6-digit code the app shows.',
  'twofa.enrol.manual': 'Cannot scan it? Type this key into the app:',
  'twofa.enrol.qrAlt': 'QR code for the authenticator app',
  'twofa.enrol.submit': 'Turn on two-factor sign-in',
  'twofa.enrol.submitSignIn': 'Confirm and sign in',
  'twofa.codes.heading': 'Your recovery codes',
  'twofa.codes.intro': 'If you lose your phone, each of these codes lets you sign in once. Keep them somewhere safe – they are shown only now.',
  'twofa.codes.copy': 'Copy codes',
  'twofa.codes.done': 'I have saved them',
  'twofa.err.sixDigits': 'Please enter the 6 digits the app shows.',
  'twofa.err.emptyRecovery': 'Please enter one of your recovery codes.',
  'twofa.err.invalid_code': 'The code is wrong or has expired. Please try the current code.',
  'twofa.err.challenge_expired': 'The sign-in took too long. Please enter your password again.',
  'twofa.err.no_pending_setup': 'The setup has expired. Please start again.',
  'twofa.err.2fa_required': 'Your group requires two-factor sign-in, so it cannot be turned off.',

  // The account dialog.
  'account.heading': 'Your account',
  'account.name': 'Name',
  'account.email': 'E-mail address',
  'account.role': 'Role',
  'account.group': 'Group',
  'account.noGroup': 'No group',
  'account.twofa.heading': 'Two-factor sign-in',
  'account.twofa.intro': 'Besides your password, signing in asks for a code from an app on your phone.',
  'account.twofa.on': 'Two-factor sign-in is on.',
  'account.twofa.off': 'Two-factor sign-in is off.',
  'account.twofa.required': 'Your group requires two-factor sign-in.',
  'account.twofa.enable': 'Turn on',
  'account.twofa.disable': 'Turn off two-factor sign-in',
  'account.twofa.disableText': 'Enter your password to turn off two-factor sign-in. Your recovery codes stop working.',
  'account.twofa.newCodes': 'New recovery codes',
  'account.twofa.newCodesText': 'Enter your password to create new recovery codes. The old ones stop working.',
  'account.err.password': 'The password is wrong.',

  // Invitations sent by the server.
  'invite.sms': 'Send by SMS',
  'invite.emailSend': 'Send by e-mail',
  'invite.smsTitle': 'Invite by SMS',
  'invite.emailTitleSend': 'Invite by e-mail',
  'invite.mobile': 'Mobile number',
  'invite.smsHint': 'A number without a country code is read as a number in {country} ({code}).',
  'invite.smsHintNoCode': 'A number without a country code is read as a number in {country}.',
  'invite.address': 'E-mail address',
  'invite.emailHint': 'The customer receives the join link and the support key.',
  'invite.language': 'Language of the message',
  'invite.send': 'Send',
  'invite.sending': 'Sending…',
  'invite.sentTo': 'Invitation sent to {to}',
  'invite.done': 'Done',
  'invite.err.emptyPhone': 'Please enter the customer\'s mobile number.',
  'invite.err.emptyEmail': 'Please enter the customer\'s e-mail address.',
  'invite.err.bad_phone': 'This is not a valid mobile number. Please check it, or enter it with the country code (+49 …).',
  'invite.err.bad_email': 'This is not a valid e-mail address.',
  'invite.err.session_not_waiting': 'The customer has already joined, or the session has ended.',
  'invite.err.sms_not_configured': 'Sending SMS is not set up. Please ask your administrator.',
  'invite.err.email_not_configured': 'Sending e-mail is not set up. Please ask your administrator.',
  'invite.err.invitation_limit': 'Too many invitations. Please wait a while before you send another one.',
  'invite.err.invitation_limit_wait': 'Too many invitations. You can send the next one in {time}.',
  'invite.err.delivery_failed': 'The invitation could not be delivered: {reason}',

  // The set-password page.
  'reset.pageTitle': 'Set your password – Tether',
  'reset.heading': 'Set your password',
  'reset.account': 'For {name} ({email})',
  'reset.password': 'New password',
  'reset.password2': 'Repeat the new password',
  'reset.hint': 'At least 10 characters. A few unrelated words make a strong password.',
  'reset.submit': 'Set password',
  'reset.saving': 'Saving…',
  'reset.done': 'Your password is set.',
  'reset.toConsole': 'Sign in',
  'reset.toConsoleAnyway': 'Go to the sign-in page',
  'reset.err.short': 'The password needs at least {min} characters.',
  'reset.err.mismatch': 'The two passwords do not match.',
  'reset.err.noToken': 'This address has no link token. Please open the complete link you received.',
  'reset.err.link_expired': 'This link has expired or has already been used. Please ask your administrator for a new one.',
  'reset.err.unknown_link': 'This link is not valid. Please check that you opened the complete link, or ask your administrator for a new one.',
  'reset.err.weak_password': 'This password is too weak. Please choose a longer one.',

  // The admin center.
  'admin.pageTitle': 'Admin Center – Tether',
  'admin.nav': 'Admin center',
  'admin.loginIntro': 'Sign in to the admin center with your administrator account.',
  'admin.toConsole': 'Technician console',
  'admin.forbidden.heading': 'Administrators only',
  'admin.forbidden.text': 'The admin center is for administrators. Your account is a technician account.',
  'admin.forbidden.link': 'Back to the technician console',
  'admin.tab.accounts': 'Accounts',
  'admin.tab.groups': 'Groups',
  'admin.tab.messaging': 'Messaging',
  'admin.tab.sessions': 'Sessions',
  'admin.tab.audit': 'Audit log',
  'admin.save': 'Save',
  'admin.saved': 'Saved',
  'admin.on': 'On',
  'admin.off': 'Off',
  'admin.unit.minutes': 'minutes',
  'admin.secretSet': 'Stored',
  'admin.secretNotSet': 'Not set',
  'admin.secretHint': 'For security it is never shown. Leave the field empty to keep the stored value.',
  'admin.err.required': 'Please fill in all required fields.',
  'admin.err.keyLifetime': 'The key lifetime must be a whole number of minutes (at least 1).',
  'admin.err.maxFile': 'The maximum file size must be a whole number of MB (at least 1).',
  'admin.err.smsRequired': 'For SMS, please enter the Account SID and the sender number.',
  'admin.err.smtpRequired': 'For e-mail, please enter the server and the sender address.',
  'admin.err.email_taken': 'An account with this e-mail address already exists.',
  'admin.err.bad_email': 'This is not a valid e-mail address.',
  'admin.err.bad_name': 'Please enter a name.',
  'admin.err.bad_role': 'Please choose a role.',
  'admin.err.unknown_group': 'This group no longer exists. Please reload the page.',
  'admin.err.last_admin': 'This would leave no active administrator. Make someone else an administrator first.',
  'admin.err.self': 'You cannot disable your own account or remove your own administrator role.',
  'admin.err.group_name_taken': 'A group with this name already exists.',
  'admin.err.group_not_empty': 'This group still has members. Move them to another group first.',
  'admin.err.admin_only': 'Only administrators can do this.',
  'admin.err.forbidden': 'Only administrators of all groups can do this.',

  'admin.accounts.heading': 'Accounts',
  'admin.accounts.intro': 'Technicians and administrators who can sign in. New people set their own password through a one-time link.',
  'admin.accounts.create': 'New account',
  'admin.accounts.createTitle': 'New account',
  'admin.accounts.createButton': 'Create account',
  'admin.accounts.editTitle': 'Edit account',
  'admin.accounts.name': 'Name',
  'admin.accounts.email': 'E-mail',
  'admin.accounts.role': 'Role',
  'admin.accounts.group': 'Group',
  'admin.accounts.twofa': 'Two-factor',
  'admin.accounts.lastLogin': 'Last sign-in',
  'admin.accounts.status': 'Status',
  'admin.accounts.actions': 'Actions',
  'admin.accounts.never': 'Never',
  'admin.accounts.you': 'You',
  'admin.accounts.active': 'Active',
  'admin.accounts.disabled': 'Disabled',
  'admin.accounts.allGroups': 'All groups',
  'admin.accounts.noGroup': 'No group',
  'admin.accounts.groupHintAdmin': 'An administrator without a group manages every group; with a group, only that group.',
  'admin.accounts.groupHintTech': 'The group\'s settings apply to the technician\'s sessions.',
  'admin.accounts.edit': 'Edit',
  'admin.accounts.resetPassword': 'Reset password',
  'admin.accounts.resetPasswordTitle': 'Reset password',
  'admin.accounts.reset2fa': 'Reset two-factor',
  'admin.accounts.reset2faTitle': 'Reset two-factor sign-in for {name}?',
  'admin.accounts.reset2faText': 'The second factor and the recovery codes of {name} are removed. They sign in with the password only, or set up two-factor sign-in again where their group requires it.',
  'admin.accounts.disable': 'Disable',
  'admin.accounts.disableTitle': 'Disable {name}?',
  'admin.accounts.disableText': '{name} is signed out everywhere at once and can no longer sign in. Sessions and history are kept.',
  'admin.accounts.enable': 'Enable',
  'admin.accounts.enableTitle': 'Enable {name}?',
  'admin.accounts.enableText': '{name} can sign in again with their password.',
  'admin.link.created': 'The account for {name} has been created. Send them this one-time link so they can set their password.',
  'admin.link.reset': 'Send {name} this one-time link to set a new password. The current password keeps working until the link is used.',
  'admin.link.label': 'Set-password link',
  'admin.link.validUntil': 'The link can be used once, until {date}.',
  'admin.link.emailed': 'The link was also e-mailed to {email}.',
  'admin.link.notEmailed': 'The link was not sent by e-mail. Please pass it on yourself.',

  'admin.groups.heading': 'Technician groups',
  'admin.groups.intro': 'Each technician belongs to a group; the group\'s settings apply to their sessions.',
  'admin.groups.create': 'New group',
  'admin.groups.createTitle': 'New group',
  'admin.groups.createText': 'The group starts with the default settings. You can change them afterwards.',
  'admin.groups.createButton': 'Create group',
  'admin.groups.name': 'Name',
  'admin.groups.empty': 'No groups yet.',
  'admin.groups.select': 'Select a group to edit its settings.',
  'admin.groups.settings': 'Group settings',
  'admin.groups.member': '1 member',
  'admin.groups.members': '{n} members',
  'admin.groups.delete': 'Delete group',
  'admin.groups.deleteTitle': 'Delete the group {name}?',
  'admin.groups.deleteText': 'The group and its settings are removed. Only a group without members can be deleted.',
  'admin.policy.sessions': 'Sessions',
  'admin.policy.keyLifetime': 'Support-key lifetime',
  'admin.policy.keyLifetimeHint': 'How long a new support key can be used to join. After that it is refused.',
  'admin.policy.requestRc': 'Request remote control when the customer arrives (default)',
  'admin.policy.requestRcHint': 'The default of this option when a technician starts a session; they can still change it.',
  'admin.policy.autoOpen': 'Open a new session tab when the console opens',
  'admin.policy.autoOpenHint': 'Technicians get a support key right away, without clicking Start session.',
  'admin.policy.maxFile': 'Maximum file size',
  'admin.policy.maxFileHint': 'Larger files are refused before they are sent to the customer.',
  'admin.policy.screen': 'Screen sharing and reboot',
  'admin.policy.allowSharing': 'Allow screen sharing with customers',
  'admin.policy.allowSharingHint': 'Technicians may show their own screen to the customer.',
  'admin.policy.confirmReboot': 'Customer confirms reboot',
  'admin.policy.confirmRebootHint': 'The customer must agree before the technician restarts the computer.',
  'admin.policy.confirmSharingReboot': 'Customer confirms screen sharing after reboot',
  'admin.policy.confirmSharingRebootHint': 'After a restart the customer allows screen sharing again before it resumes.',
  'admin.policy.customers': 'Customers and invitations',
  'admin.policy.website': 'Support website shown to customers',
  'admin.policy.websiteHint': 'The address where customers type their support key. Leave empty to use this server\'s address.',
  'admin.policy.smsCountry': 'SMS default country',
  'admin.policy.smsCountryHint': 'Mobile numbers entered without a country code are read as numbers in this country.',
  'admin.policy.security': 'Security',
  'admin.policy.require2fa': 'Require two-factor sign-in',
  'admin.policy.require2faHint': 'Members must sign in with a code from an authenticator app; those without one set it up at their next sign-in.',

  'admin.messaging.heading': 'Messaging',
  'admin.messaging.intro': 'Gateways the server uses to send invitations to customers and set-password links to new accounts. Passwords and tokens are stored on the server and never shown again.',
  'admin.sms.heading': 'SMS gateway (Twilio)',
  'admin.sms.enabled': 'Send invitations by SMS',
  'admin.sms.baseUrl': 'API address',
  'admin.sms.baseUrlHint': 'Twilio\'s address, or that of a compatible gateway.',
  'admin.sms.accountSid': 'Account SID',
  'admin.sms.authToken': 'Auth token',
  'admin.sms.from': 'Sender number',
  'admin.sms.fromHint': 'A number of your Twilio account, with country code.',
  'admin.smtp.heading': 'E-mail (SMTP)',
  'admin.smtp.enabled': 'Send invitations and account links by e-mail',
  'admin.smtp.host': 'Server',
  'admin.smtp.port': 'Port',
  'admin.smtp.security': 'Connection security',
  'admin.smtp.starttls': 'STARTTLS',
  'admin.smtp.tls': 'TLS',
  'admin.smtp.none': 'None (unencrypted)',
  'admin.smtp.username': 'User name',
  'admin.smtp.password': 'Password',
  'admin.smtp.from': 'Sender address',

  'admin.sessions.heading': 'Session history',
  'admin.sessions.intro': 'All sessions of your groups, newest first. Select one for its transcript, files and audit trail.',
  'admin.sessions.technician': 'Technician',
  'admin.sessions.allTechnicians': 'All technicians',
  'admin.sessions.group': 'Group',
  'admin.sessions.allGroups': 'All groups',
  'admin.sessions.from': 'From',
  'admin.sessions.to': 'To',
  'admin.sessions.customer': 'Customer',
  'admin.sessions.customerPlaceholder': 'Name contains…',
  'admin.sessions.apply': 'Show',
  'admin.sessions.reset': 'Reset',
  'admin.sessions.exportCsv': 'Export CSV',
  'admin.sessions.exportJson': 'Export JSON',
  'admin.sessions.started': 'Started',
  'admin.sessions.messages': 'Messages',
  'admin.sessions.files': 'Files',
  'admin.sessions.state': 'Status',
  'admin.sessions.state.waiting': 'Waiting',
  'admin.sessions.state.active': 'Running',
  'admin.sessions.state.ended': 'Ended',
  'admin.sessions.endedBy': 'Ended · {who}',
  'admin.sessions.total': '{n} sessions',
  'admin.sessions.totalOne': '1 session',
  'admin.sessions.empty': 'No sessions match these filters.',
  'admin.sessions.more': 'Show more',
  'admin.sessions.detail': 'Session details',
  'admin.sessions.transcript': 'Transcript',
  'admin.sessions.filesHeading': 'Files',
  'admin.sessions.trail': 'Consent and audit trail',
  'admin.sessions.noMessages': 'No messages.',
  'admin.sessions.noFiles': 'No files were sent.',
  'admin.sessions.noTrail': 'No entries.',

  'admin.audit.heading': 'Audit log',
  'admin.audit.intro': 'Who changed what in the admin center, newest first.',
  'admin.audit.at': 'When',
  'admin.audit.actor': 'Who',
  'admin.audit.action': 'What',
  'admin.audit.target': 'Concerning',
  'admin.audit.details': 'Details',
  'admin.audit.empty': 'No changes yet.',
  'audit.account_created': 'Account created',
  'audit.account_changed': 'Account changed',
  'audit.account_disabled': 'Account disabled',
  'audit.account_enabled': 'Account enabled',
  'audit.password_link_created': 'Set-password link created',
  'audit.two_factor_reset': 'Two-factor sign-in reset',
  'audit.group_created': 'Group created',
  'audit.group_changed': 'Group settings changed',
  'audit.group_deleted': 'Group deleted',
  'audit.messaging_changed': 'Messaging changed',
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
  'ev.access.requested.admin.view': '{name} hat um die Bildschirmanzeige gebeten',
  'ev.access.requested.admin.control': '{name} hat die Fernsteuerung angefordert',
  'ev.access.revoked.admin.technician': '{name} hat die Bildschirmanzeige beendet',
  'ev.access.cancelled.admin': '{name} hat die Anfrage zurückgezogen',
  'reason.admin.technician': 'Der Techniker hat die Sitzung beendet.',
  'reason.admin.customer': 'Der Kunde hat die Sitzung beendet.',
  'reason.admin.key_expired': 'Der Supportschlüssel ist abgelaufen, bevor der Kunde beigetreten ist.',
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
  'brand.admin': 'Admin-Center',
  'dialog.close': 'Schließen',
  'common.copied': 'Kopiert',
  'common.copyFailed': 'Kopieren nicht möglich – bitte markieren und von Hand kopieren.',
  'role.admin': 'Administrator',
  'role.technician': 'Techniker',
  'nav.admin': 'Admin-Center',
  'login.notice.disabled': 'Ihr Konto wurde von einem Administrator deaktiviert.',
  'login.notice.password_reset': 'Ihr Passwort wurde geändert. Bitte melden Sie sich mit dem neuen Passwort an.',
  'login.notice.signed_out': 'Sie wurden abgemeldet. Bitte melden Sie sich erneut an.',
  'invite.emailTitle': 'Öffnet Ihr eigenes E-Mail-Programm mit der ausgefüllten Einladung',

  'twofa.heading': 'Zwei-Faktor-Anmeldung',
  'twofa.intro': 'Geben Sie den 6-stelligen Code aus der Authenticator-App auf Ihrem Smartphone ein.',
  'twofa.code': 'Code',
  'twofa.codeHint': 'Der Code ändert sich alle 30 Sekunden.',
  'twofa.recoveryCode': 'Wiederherstellungscode',
  'twofa.recoveryHint': 'Jeder Wiederherstellungscode funktioniert nur einmal.',
  'twofa.useRecovery': 'Stattdessen einen Wiederherstellungscode verwenden',
  'twofa.useCode': 'Stattdessen den Code aus der App verwenden',
  'twofa.verify': 'Bestätigen',
  'twofa.back': 'Zurück zur Anmeldung',
  'twofa.codesLeft': 'Sie haben sich mit einem Wiederherstellungscode angemeldet; {n} sind noch übrig. Neue erzeugen Sie über Ihren Namen oben rechts.',
  'twofa.enrol.heading': 'Zwei-Faktor-Anmeldung einrichten',
  'twofa.enrol.required': 'Ihre Gruppe verlangt die Zwei-Faktor-Anmeldung. Richten Sie sie jetzt ein, um die Anmeldung abzuschließen.',
  'twofa.enrol.step1': 'Installieren Sie eine Authenticator-App auf Ihrem Smartphone, zum Beispiel FreeOTP, Aegis, Google Authenticator oder Microsoft Authenticator.',
  'twofa.enrol.step2': 'Scannen Sie diesen QR-Code mit der App.',
  'twofa.enrol.step3': 'Geben Sie den 6-stelligen Code ein, den die App anzeigt.',
  'twofa.enrol.manual': 'Scannen nicht möglich? Geben Sie diesen Schlüssel in der App ein:',
  'twofa.enrol.qrAlt': 'QR-Code für die Authenticator-App',
  'twofa.enrol.submit': 'Zwei-Faktor-Anmeldung einschalten',
  'twofa.enrol.submitSignIn': 'Bestätigen und anmelden',
  'twofa.codes.heading': 'Ihre Wiederherstellungscodes',
  'twofa.codes.intro': 'Falls Sie Ihr Smartphone verlieren, können Sie sich mit jedem dieser Codes einmal anmelden. Bewahren Sie sie sicher auf – sie werden nur jetzt angezeigt.',
  'twofa.codes.copy': 'Codes kopieren',
  'twofa.codes.done': 'Ich habe sie gespeichert',
  'twofa.err.sixDigits': 'Bitte geben Sie die 6 Ziffern ein, die die App anzeigt.',
  'twofa.err.emptyRecovery': 'Bitte geben Sie einen Ihrer Wiederherstellungscodes ein.',
  'twofa.err.invalid_code': 'Der Code ist falsch oder abgelaufen. Bitte versuchen Sie den aktuellen Code.',
  'twofa.err.challenge_expired': 'Die Anmeldung hat zu lange gedauert. Bitte geben Sie Ihr Passwort erneut ein.',
  'twofa.err.no_pending_setup': 'Die Einrichtung ist abgelaufen. Bitte beginnen Sie erneut.',
  'twofa.err.2fa_required': 'Ihre Gruppe verlangt die Zwei-Faktor-Anmeldung, daher kann sie nicht ausgeschaltet werden.',

  'account.heading': 'Ihr Konto',
  'account.name': 'Name',
  'account.email': 'E-Mail-Adresse',
  'account.role': 'Rolle',
  'account.group': 'Gruppe',
  'account.noGroup': 'Keine Gruppe',
  'account.twofa.heading': 'Zwei-Faktor-Anmeldung',
  'account.twofa.intro': 'Zusätzlich zum Passwort wird bei der Anmeldung ein Code aus einer App auf Ihrem Smartphone abgefragt.',
  'account.twofa.on': 'Die Zwei-Faktor-Anmeldung ist eingeschaltet.',
  'account.twofa.off': 'Die Zwei-Faktor-Anmeldung ist ausgeschaltet.',
  'account.twofa.required': 'Ihre Gruppe verlangt die Zwei-Faktor-Anmeldung.',
  'account.twofa.enable': 'Einschalten',
  'account.twofa.disable': 'Zwei-Faktor-Anmeldung ausschalten',
  'account.twofa.disableText': 'Geben Sie Ihr Passwort ein, um die Zwei-Faktor-Anmeldung auszuschalten. Ihre Wiederherstellungscodes werden ungültig.',
  'account.twofa.newCodes': 'Neue Wiederherstellungscodes',
  'account.twofa.newCodesText': 'Geben Sie Ihr Passwort ein, um neue Wiederherstellungscodes zu erzeugen. Die bisherigen werden ungültig.',
  'account.err.password': 'Das Passwort ist falsch.',

  'invite.sms': 'Per SMS senden',
  'invite.emailSend': 'Per E-Mail senden',
  'invite.smsTitle': 'Per SMS einladen',
  'invite.emailTitleSend': 'Per E-Mail einladen',
  'invite.mobile': 'Mobilnummer',
  'invite.smsHint': 'Eine Nummer ohne Ländervorwahl gilt als Nummer in {country} ({code}).',
  'invite.smsHintNoCode': 'Eine Nummer ohne Ländervorwahl gilt als Nummer in {country}.',
  'invite.address': 'E-Mail-Adresse',
  'invite.emailHint': 'Der Kunde erhält den Teilnahme-Link und den Supportschlüssel.',
  'invite.language': 'Sprache der Nachricht',
  'invite.send': 'Senden',
  'invite.sending': 'Wird gesendet…',
  'invite.sentTo': 'Einladung gesendet an {to}',
  'invite.done': 'Fertig',
  'invite.err.emptyPhone': 'Bitte geben Sie die Mobilnummer des Kunden ein.',
  'invite.err.emptyEmail': 'Bitte geben Sie die E-Mail-Adresse des Kunden ein.',
  'invite.err.bad_phone': 'Dies ist keine gültige Mobilnummer. Bitte prüfen Sie sie oder geben Sie sie mit Ländervorwahl ein (+49 …).',
  'invite.err.bad_email': 'Dies ist keine gültige E-Mail-Adresse.',
  'invite.err.session_not_waiting': 'Der Kunde ist bereits beigetreten oder die Sitzung ist beendet.',
  'invite.err.sms_not_configured': 'Der SMS-Versand ist nicht eingerichtet. Bitte wenden Sie sich an Ihren Administrator.',
  'invite.err.email_not_configured': 'Der E-Mail-Versand ist nicht eingerichtet. Bitte wenden Sie sich an Ihren Administrator.',
  'invite.err.invitation_limit': 'Zu viele Einladungen. Bitte warten Sie eine Weile, bevor Sie eine weitere senden.',
  'invite.err.invitation_limit_wait': 'Zu viele Einladungen. Die nächste können Sie in {time} senden.',
  'invite.err.delivery_failed': 'Die Einladung konnte nicht zugestellt werden: {reason}',

  'reset.pageTitle': 'Passwort festlegen – Tether',
  'reset.heading': 'Passwort festlegen',
  'reset.account': 'Für {name} ({email})',
  'reset.password': 'Neues Passwort',
  'reset.password2': 'Neues Passwort wiederholen',
  'reset.hint': 'Mindestens 10 Zeichen. Einige Wörter ohne Zusammenhang ergeben ein starkes Passwort.',
  'reset.submit': 'Passwort festlegen',
  'reset.saving': 'Wird gespeichert…',
  'reset.done': 'Ihr Passwort ist festgelegt.',
  'reset.toConsole': 'Anmelden',
  'reset.toConsoleAnyway': 'Zur Anmeldeseite',
  'reset.err.short': 'Das Passwort muss mindestens {min} Zeichen haben.',
  'reset.err.mismatch': 'Die beiden Passwörter stimmen nicht überein.',
  'reset.err.noToken': 'Diese Adresse enthält keinen Link-Schlüssel. Bitte öffnen Sie den vollständigen Link, den Sie erhalten haben.',
  'reset.err.link_expired': 'Dieser Link ist abgelaufen oder wurde bereits verwendet. Bitte fordern Sie bei Ihrem Administrator einen neuen an.',
  'reset.err.unknown_link': 'Dieser Link ist ungültig. Bitte prüfen Sie, ob Sie den vollständigen Link geöffnet haben, oder fordern Sie bei Ihrem Administrator einen neuen an.',
  'reset.err.weak_password': 'Dieses Passwort ist zu schwach. Bitte wählen Sie ein längeres.',

  'admin.pageTitle': 'Admin-Center – Tether',
  'admin.nav': 'Admin-Center',
  'admin.loginIntro': 'Melden Sie sich mit Ihrem Administratorkonto beim Admin-Center an.',
  'admin.toConsole': 'Technikerkonsole',
  'admin.forbidden.heading': 'Nur für Administratoren',
  'admin.forbidden.text': 'Das Admin-Center ist Administratoren vorbehalten. Ihr Konto ist ein Technikerkonto.',
  'admin.forbidden.link': 'Zurück zur Technikerkonsole',
  'admin.tab.accounts': 'Konten',
  'admin.tab.groups': 'Gruppen',
  'admin.tab.messaging': 'Nachrichtenversand',
  'admin.tab.sessions': 'Sitzungen',
  'admin.tab.audit': 'Änderungsprotokoll',
  'admin.save': 'Speichern',
  'admin.saved': 'Gespeichert',
  'admin.on': 'Ein',
  'admin.off': 'Aus',
  'admin.unit.minutes': 'Minuten',
  'admin.secretSet': 'Hinterlegt',
  'admin.secretNotSet': 'Nicht festgelegt',
  'admin.secretHint': 'Aus Sicherheitsgründen wird der Wert nie angezeigt. Lassen Sie das Feld leer, um den gespeicherten Wert zu behalten.',
  'admin.err.required': 'Bitte füllen Sie alle Pflichtfelder aus.',
  'admin.err.keyLifetime': 'Die Gültigkeitsdauer muss eine ganze Zahl von Minuten sein (mindestens 1).',
  'admin.err.maxFile': 'Die maximale Dateigröße muss eine ganze Zahl in MB sein (mindestens 1).',
  'admin.err.smsRequired': 'Für SMS geben Sie bitte die Account SID und die Absendernummer ein.',
  'admin.err.smtpRequired': 'Für E-Mail geben Sie bitte den Server und die Absenderadresse ein.',
  'admin.err.email_taken': 'Es gibt bereits ein Konto mit dieser E-Mail-Adresse.',
  'admin.err.bad_email': 'Dies ist keine gültige E-Mail-Adresse.',
  'admin.err.bad_name': 'Bitte geben Sie einen Namen ein.',
  'admin.err.bad_role': 'Bitte wählen Sie eine Rolle.',
  'admin.err.unknown_group': 'Diese Gruppe existiert nicht mehr. Bitte laden Sie die Seite neu.',
  'admin.err.last_admin': 'Dann gäbe es keinen aktiven Administrator mehr. Ernennen Sie zuerst eine andere Person zum Administrator.',
  'admin.err.self': 'Sie können Ihr eigenes Konto nicht deaktivieren und sich die Administratorrolle nicht selbst entziehen.',
  'admin.err.group_name_taken': 'Es gibt bereits eine Gruppe mit diesem Namen.',
  'admin.err.group_not_empty': 'Diese Gruppe hat noch Mitglieder. Verschieben Sie sie zuerst in eine andere Gruppe.',
  'admin.err.admin_only': 'Nur Administratoren können dies tun.',
  'admin.err.forbidden': 'Nur Administratoren aller Gruppen können dies tun.',

  'admin.accounts.heading': 'Konten',
  'admin.accounts.intro': 'Techniker und Administratoren, die sich anmelden können. Neue Personen legen ihr Passwort selbst über einen einmaligen Link fest.',
  'admin.accounts.create': 'Neues Konto',
  'admin.accounts.createTitle': 'Neues Konto',
  'admin.accounts.createButton': 'Konto anlegen',
  'admin.accounts.editTitle': 'Konto bearbeiten',
  'admin.accounts.name': 'Name',
  'admin.accounts.email': 'E-Mail',
  'admin.accounts.role': 'Rolle',
  'admin.accounts.group': 'Gruppe',
  'admin.accounts.twofa': 'Zwei-Faktor',
  'admin.accounts.lastLogin': 'Letzte Anmeldung',
  'admin.accounts.status': 'Status',
  'admin.accounts.actions': 'Aktionen',
  'admin.accounts.never': 'Noch nie',
  'admin.accounts.you': 'Sie',
  'admin.accounts.active': 'Aktiv',
  'admin.accounts.disabled': 'Deaktiviert',
  'admin.accounts.allGroups': 'Alle Gruppen',
  'admin.accounts.noGroup': 'Keine Gruppe',
  'admin.accounts.groupHintAdmin': 'Ein Administrator ohne Gruppe verwaltet alle Gruppen, mit Gruppe nur diese.',
  'admin.accounts.groupHintTech': 'Die Einstellungen der Gruppe gelten für die Sitzungen des Technikers.',
  'admin.accounts.edit': 'Bearbeiten',
  'admin.accounts.resetPassword': 'Passwort zurücksetzen',
  'admin.accounts.resetPasswordTitle': 'Passwort zurücksetzen',
  'admin.accounts.reset2fa': 'Zwei-Faktor zurücksetzen',
  'admin.accounts.reset2faTitle': 'Zwei-Faktor-Anmeldung für {name} zurücksetzen?',
  'admin.accounts.reset2faText': 'Der zweite Faktor und die Wiederherstellungscodes von {name} werden entfernt. Die Anmeldung erfolgt dann nur mit dem Passwort, oder die Zwei-Faktor-Anmeldung wird neu eingerichtet, wenn die Gruppe sie verlangt.',
  'admin.accounts.disable': 'Deaktivieren',
  'admin.accounts.disableTitle': '{name} deaktivieren?',
  'admin.accounts.disableText': '{name} wird sofort überall abgemeldet und kann sich nicht mehr anmelden. Sitzungen und Verlauf bleiben erhalten.',
  'admin.accounts.enable': 'Aktivieren',
  'admin.accounts.enableTitle': '{name} aktivieren?',
  'admin.accounts.enableText': '{name} kann sich wieder mit dem eigenen Passwort anmelden.',
  'admin.link.created': 'Das Konto für {name} wurde angelegt. Senden Sie diesen einmaligen Link, damit das Passwort festgelegt werden kann.',
  'admin.link.reset': 'Senden Sie {name} diesen einmaligen Link, um ein neues Passwort festzulegen. Das bisherige Passwort gilt, bis der Link verwendet wird.',
  'admin.link.label': 'Link zum Festlegen des Passworts',
  'admin.link.validUntil': 'Der Link kann einmal verwendet werden, bis {date}.',
  'admin.link.emailed': 'Der Link wurde außerdem per E-Mail an {email} gesendet.',
  'admin.link.notEmailed': 'Der Link wurde nicht per E-Mail versandt. Bitte geben Sie ihn selbst weiter.',

  'admin.groups.heading': 'Technikergruppen',
  'admin.groups.intro': 'Jeder Techniker gehört zu einer Gruppe; deren Einstellungen gelten für seine Sitzungen.',
  'admin.groups.create': 'Neue Gruppe',
  'admin.groups.createTitle': 'Neue Gruppe',
  'admin.groups.createText': 'Die Gruppe beginnt mit den Standardeinstellungen. Sie können sie anschließend ändern.',
  'admin.groups.createButton': 'Gruppe anlegen',
  'admin.groups.name': 'Name',
  'admin.groups.empty': 'Noch keine Gruppen.',
  'admin.groups.select': 'Wählen Sie eine Gruppe, um ihre Einstellungen zu bearbeiten.',
  'admin.groups.settings': 'Gruppeneinstellungen',
  'admin.groups.member': '1 Mitglied',
  'admin.groups.members': '{n} Mitglieder',
  'admin.groups.delete': 'Gruppe löschen',
  'admin.groups.deleteTitle': 'Gruppe {name} löschen?',
  'admin.groups.deleteText': 'Die Gruppe und ihre Einstellungen werden entfernt. Nur eine Gruppe ohne Mitglieder kann gelöscht werden.',
  'admin.policy.sessions': 'Sitzungen',
  'admin.policy.keyLifetime': 'Gültigkeitsdauer des Supportschlüssels',
  'admin.policy.keyLifetimeHint': 'So lange kann ein neuer Supportschlüssel zum Beitreten verwendet werden. Danach wird er abgelehnt.',
  'admin.policy.requestRc': 'Bei Eintreffen des Kunden Fernsteuerung anfordern (Voreinstellung)',
  'admin.policy.requestRcHint': 'Die Voreinstellung dieser Option beim Starten einer Sitzung; der Techniker kann sie ändern.',
  'admin.policy.autoOpen': 'Beim Öffnen der Konsole einen neuen Sitzungstab öffnen',
  'admin.policy.autoOpenHint': 'Techniker erhalten sofort einen Supportschlüssel, ohne auf „Sitzung starten“ zu klicken.',
  'admin.policy.maxFile': 'Maximale Dateigröße',
  'admin.policy.maxFileHint': 'Größere Dateien werden abgelehnt, bevor sie an den Kunden gesendet werden.',
  'admin.policy.screen': 'Bildschirmfreigabe und Neustart',
  'admin.policy.allowSharing': 'Bildschirmfreigabe für Kunden erlauben',
  'admin.policy.allowSharingHint': 'Techniker dürfen dem Kunden ihren eigenen Bildschirm zeigen.',
  'admin.policy.confirmReboot': 'Kunde bestätigt Neustart',
  'admin.policy.confirmRebootHint': 'Der Kunde muss zustimmen, bevor der Techniker den Computer neu startet.',
  'admin.policy.confirmSharingReboot': 'Kunde bestätigt Bildschirmfreigabe nach Neustart',
  'admin.policy.confirmSharingRebootHint': 'Nach einem Neustart erlaubt der Kunde die Bildschirmfreigabe erneut, bevor sie fortgesetzt wird.',
  'admin.policy.customers': 'Kunden und Einladungen',
  'admin.policy.website': 'Support-Website für Kunden',
  'admin.policy.websiteHint': 'Die Adresse, unter der Kunden ihren Supportschlüssel eingeben. Leer lassen, um die Adresse dieses Servers zu verwenden.',
  'admin.policy.smsCountry': 'Standardland für SMS',
  'admin.policy.smsCountryHint': 'Mobilnummern ohne Ländervorwahl gelten als Nummern in diesem Land.',
  'admin.policy.security': 'Sicherheit',
  'admin.policy.require2fa': 'Zwei-Faktor-Anmeldung verlangen',
  'admin.policy.require2faHint': 'Mitglieder melden sich mit einem Code aus einer Authenticator-App an; wer noch keinen hat, richtet ihn bei der nächsten Anmeldung ein.',

  'admin.messaging.heading': 'Nachrichtenversand',
  'admin.messaging.intro': 'Über diese Dienste versendet der Server Einladungen an Kunden und Links zum Festlegen des Passworts an neue Konten. Passwörter und Tokens werden auf dem Server gespeichert und nie wieder angezeigt.',
  'admin.sms.heading': 'SMS-Gateway (Twilio)',
  'admin.sms.enabled': 'Einladungen per SMS senden',
  'admin.sms.baseUrl': 'API-Adresse',
  'admin.sms.baseUrlHint': 'Die Adresse von Twilio oder eines kompatiblen Gateways.',
  'admin.sms.accountSid': 'Account SID',
  'admin.sms.authToken': 'Auth-Token',
  'admin.sms.from': 'Absendernummer',
  'admin.sms.fromHint': 'Eine Nummer Ihres Twilio-Kontos, mit Ländervorwahl.',
  'admin.smtp.heading': 'E-Mail (SMTP)',
  'admin.smtp.enabled': 'Einladungen und Konto-Links per E-Mail senden',
  'admin.smtp.host': 'Server',
  'admin.smtp.port': 'Port',
  'admin.smtp.security': 'Verbindungssicherheit',
  'admin.smtp.starttls': 'STARTTLS',
  'admin.smtp.tls': 'TLS',
  'admin.smtp.none': 'Keine (unverschlüsselt)',
  'admin.smtp.username': 'Benutzername',
  'admin.smtp.password': 'Passwort',
  'admin.smtp.from': 'Absenderadresse',

  'admin.sessions.heading': 'Sitzungsverlauf',
  'admin.sessions.intro': 'Alle Sitzungen Ihrer Gruppen, die neuesten zuerst. Wählen Sie eine aus, um Protokoll, Dateien und Prüfpfad zu sehen.',
  'admin.sessions.technician': 'Techniker',
  'admin.sessions.allTechnicians': 'Alle Techniker',
  'admin.sessions.group': 'Gruppe',
  'admin.sessions.allGroups': 'Alle Gruppen',
  'admin.sessions.from': 'Von',
  'admin.sessions.to': 'Bis',
  'admin.sessions.customer': 'Kunde',
  'admin.sessions.customerPlaceholder': 'Name enthält…',
  'admin.sessions.apply': 'Anzeigen',
  'admin.sessions.reset': 'Zurücksetzen',
  'admin.sessions.exportCsv': 'Als CSV exportieren',
  'admin.sessions.exportJson': 'Als JSON exportieren',
  'admin.sessions.started': 'Beginn',
  'admin.sessions.messages': 'Nachrichten',
  'admin.sessions.files': 'Dateien',
  'admin.sessions.state': 'Status',
  'admin.sessions.state.waiting': 'Wartet',
  'admin.sessions.state.active': 'Läuft',
  'admin.sessions.state.ended': 'Beendet',
  'admin.sessions.endedBy': 'Beendet · {who}',
  'admin.sessions.total': '{n} Sitzungen',
  'admin.sessions.totalOne': '1 Sitzung',
  'admin.sessions.empty': 'Keine Sitzungen entsprechen diesen Filtern.',
  'admin.sessions.more': 'Weitere anzeigen',
  'admin.sessions.detail': 'Sitzungsdetails',
  'admin.sessions.transcript': 'Protokoll',
  'admin.sessions.filesHeading': 'Dateien',
  'admin.sessions.trail': 'Einwilligungen und Prüfpfad',
  'admin.sessions.noMessages': 'Keine Nachrichten.',
  'admin.sessions.noFiles': 'Es wurden keine Dateien gesendet.',
  'admin.sessions.noTrail': 'Keine Einträge.',

  'admin.audit.heading': 'Änderungsprotokoll',
  'admin.audit.intro': 'Wer wann was im Admin-Center geändert hat, die neuesten Einträge zuerst.',
  'admin.audit.at': 'Wann',
  'admin.audit.actor': 'Wer',
  'admin.audit.action': 'Was',
  'admin.audit.target': 'Betrifft',
  'admin.audit.details': 'Details',
  'admin.audit.empty': 'Noch keine Änderungen.',
  'audit.account_created': 'Konto angelegt',
  'audit.account_changed': 'Konto geändert',
  'audit.account_disabled': 'Konto deaktiviert',
  'audit.account_enabled': 'Konto aktiviert',
  'audit.password_link_created': 'Link zum Festlegen des Passworts erstellt',
  'audit.two_factor_reset': 'Zwei-Faktor-Anmeldung zurückgesetzt',
  'audit.group_created': 'Gruppe angelegt',
  'audit.group_changed': 'Gruppeneinstellungen geändert',
  'audit.group_deleted': 'Gruppe gelöscht',
  'audit.messaging_changed': 'Nachrichtenversand geändert',
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
    case 'relative':
      return formatRelative(value);
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

/** A past or future moment in words: "3 hours ago", "vor 3 Stunden". */
export function formatRelative(at, now = Date.now()) {
  const secs = (Date.parse(at) - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  const abs = Math.abs(secs);
  if (abs < 60) return rtf.format(0, 'second');
  if (abs < 3600) return rtf.format(Math.round(secs / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(secs / 3600), 'hour');
  if (abs < 86400 * 30) return rtf.format(Math.round(secs / 86400), 'day');
  if (abs < 86400 * 365) return rtf.format(Math.round(secs / (86400 * 30)), 'month');
  return rtf.format(Math.round(secs / (86400 * 365)), 'year');
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
  for (const attr of ['placeholder', 'title', 'aria-label', 'alt']) {
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
