//! pelab server.
