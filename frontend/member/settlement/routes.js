// The member's settlement pages under /m/.
export const routes = []
