// The page's two settings. A deploy step rewrites this file; an empty apiBaseUrl means the
// API is on this page's own host name at port 7071 (the local front door).
window.CHAT_CONFIG = { apiBaseUrl: '', authProvider: 'aad' };
