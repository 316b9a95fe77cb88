#include "sharing/shared_bus_store.hpp"

#include <array>

namespace blender_bus::sharing {

namespace {

// Append-only: a released step is never edited (store/migration.hpp).
constexpr std::array<store::Migration, 1> kSharingMigrations{{
    {1,
     "CREATE TABLE buses ("
     " bus_id TEXT PRIMARY KEY NOT NULL,"
     " name TEXT NOT NULL,"
     " created_by TEXT NOT NULL,"
     " created_at REAL NOT NULL,"  // Unix seconds
     " archived_at REAL"           // NULL while it has an owner
     ") WITHOUT ROWID;"
     // Not tied to the users table: on a cluster node the users live in the
     // cluster. A user's deletion removes their memberships (BusMemberships).
     "CREATE TABLE bus_memberships ("
     " bus_id TEXT NOT NULL REFERENCES buses(bus_id) ON DELETE CASCADE,"
     " username TEXT NOT NULL,"
     " role TEXT NOT NULL,"  // owner | member | guest
     " joined_at REAL NOT NULL,"
     " PRIMARY KEY (bus_id, username)"
     ") WITHOUT ROWID;"
     "CREATE INDEX bus_memberships_by_user ON bus_memberships(username);"
     "CREATE TABLE bus_invitations ("
     " code_hash TEXT PRIMARY KEY NOT NULL,"  // hex SHA-256: a leaked file yields no code
     " bus_id TEXT NOT NULL REFERENCES buses(bus_id) ON DELETE CASCADE,"
     " username TEXT NOT NULL,"
     " role TEXT NOT NULL,"
     " invited_by TEXT NOT NULL,"
     " created_at REAL NOT NULL,"
     " expires_at REAL NOT NULL,"
     " used_at REAL"  // NULL until accepted
     ") WITHOUT ROWID;"
     "CREATE TABLE bus_client_owners ("
     " bus_id TEXT NOT NULL REFERENCES buses(bus_id) ON DELETE CASCADE,"
     " client_uuid TEXT NOT NULL,"
     " username TEXT NOT NULL,"
     " PRIMARY KEY (bus_id, client_uuid)"
     ") WITHOUT ROWID;"},
}};

BusRole role_of(const std::string& text) {
  return parse_role(text).value_or(BusRole::guest);
}

void put_membership_on(store::Connection& c, const MembershipRow& m) {
  store::Statement put = c.prepare(
      "INSERT INTO bus_memberships(bus_id, username, role, joined_at) VALUES (?1, ?2, ?3, ?4)"
      " ON CONFLICT(bus_id, username) DO UPDATE SET role = excluded.role");
  put.bind(1, m.bus_id).bind(2, m.username).bind(3, role_name(m.role)).bind(4, m.joined_at);
  put.run();
}

}  // namespace

SharedBusStore::SharedBusStore(store::Database& db) : db_(db) {
  db_.migrate("sharing", kSharingMigrations);
}

SharedBusSnapshot SharedBusStore::load(double now) {
  SharedBusSnapshot out;
  store::Connection c = db_.lock();
  store::Statement buses =
      c.prepare("SELECT bus_id, name, created_by, created_at, archived_at IS NOT NULL FROM buses");
  while (buses.step()) {
    out.buses.push_back({buses.column_text(0), buses.column_text(1), buses.column_text(2),
                         buses.column_double(3), buses.column_int64(4) != 0});
  }
  store::Statement members =
      c.prepare("SELECT bus_id, username, role, joined_at FROM bus_memberships");
  while (members.step()) {
    out.memberships.push_back({members.column_text(0), members.column_text(1),
                               role_of(members.column_text(2)), members.column_double(3)});
  }
  store::Statement invitations = c.prepare(
      "SELECT code_hash, bus_id, username, role, invited_by, expires_at, used_at IS NOT NULL"
      " FROM bus_invitations WHERE expires_at > ?1");
  invitations.bind(1, now - kExpiredInvitationKeptSeconds);
  while (invitations.step()) {
    out.invitations.push_back({invitations.column_text(0), invitations.column_text(1),
                               invitations.column_text(2), role_of(invitations.column_text(3)),
                               invitations.column_text(4), invitations.column_double(5),
                               invitations.column_int64(6) != 0});
  }
  store::Statement owners =
      c.prepare("SELECT bus_id, client_uuid, username FROM bus_client_owners");
  while (owners.step()) {
    out.client_owners.push_back(
        {owners.column_text(0), owners.column_text(1), owners.column_text(2)});
  }
  return out;
}

void SharedBusStore::insert_bus(const BusRow& bus, const MembershipRow& owner) {
  store::Connection c = db_.lock();
  store::Transaction tx = c.transaction();
  store::Statement insert =
      c.prepare("INSERT INTO buses(bus_id, name, created_by, created_at) VALUES (?1, ?2, ?3, ?4)");
  insert.bind(1, bus.bus_id).bind(2, bus.name).bind(3, bus.created_by).bind(4, bus.created_at);
  insert.run();
  put_membership_on(c, owner);
  tx.commit();
}

void SharedBusStore::archive_bus(std::string_view bus_id, double now) {
  store::Connection c = db_.lock();
  store::Statement archive = c.prepare("UPDATE buses SET archived_at = ?2 WHERE bus_id = ?1");
  archive.bind(1, bus_id).bind(2, now);
  archive.run();
}

bool SharedBusStore::put_membership(const MembershipRow& membership) {
  store::Connection c = db_.lock();
  put_membership_on(c, membership);
  return true;
}

bool SharedBusStore::delete_membership(std::string_view bus_id, std::string_view username) {
  store::Connection c = db_.lock();
  store::Transaction tx = c.transaction();
  store::Statement del =
      c.prepare("DELETE FROM bus_memberships WHERE bus_id = ?1 AND username = ?2");
  del.bind(1, bus_id).bind(2, username);
  del.run();
  store::Statement owners =
      c.prepare("DELETE FROM bus_client_owners WHERE bus_id = ?1 AND username = ?2");
  owners.bind(1, bus_id).bind(2, username);
  owners.run();
  tx.commit();
  return true;
}

void SharedBusStore::insert_invitation(const InvitationRow& inv, double now) {
  store::Connection c = db_.lock();
  store::Statement insert = c.prepare(
      "INSERT INTO bus_invitations(code_hash, bus_id, username, role, invited_by, created_at,"
      " expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  insert.bind(1, inv.code_hash).bind(2, inv.bus_id).bind(3, inv.username);
  insert.bind(4, role_name(inv.role)).bind(5, inv.invited_by).bind(6, now).bind(7, inv.expires_at);
  insert.run();
}

void SharedBusStore::drop_invitations_expired_by(double cutoff) {
  store::Connection c = db_.lock();
  store::Statement drop = c.prepare("DELETE FROM bus_invitations WHERE expires_at <= ?1");
  drop.bind(1, cutoff);
  drop.run();
}

bool SharedBusStore::accept_invitation(std::string_view code_hash, const MembershipRow& membership,
                                       double now) {
  store::Connection c = db_.lock();
  store::Transaction tx = c.transaction();
  store::Statement use = c.prepare("UPDATE bus_invitations SET used_at = ?2 WHERE code_hash = ?1");
  use.bind(1, code_hash).bind(2, now);
  use.run();
  put_membership_on(c, membership);
  tx.commit();
  return true;
}

bool SharedBusStore::put_client_owner(const ClientOwnerRow& owner) {
  store::Connection c = db_.lock();
  store::Statement put = c.prepare(
      "INSERT INTO bus_client_owners(bus_id, client_uuid, username) VALUES (?1, ?2, ?3)"
      " ON CONFLICT(bus_id, client_uuid) DO UPDATE SET username = excluded.username");
  put.bind(1, owner.bus_id).bind(2, owner.client_uuid).bind(3, owner.username);
  put.run();
  return true;
}

void SharedBusStore::delete_client_owner(std::string_view bus_id, std::string_view client_uuid) {
  store::Connection c = db_.lock();
  store::Statement del =
      c.prepare("DELETE FROM bus_client_owners WHERE bus_id = ?1 AND client_uuid = ?2");
  del.bind(1, bus_id).bind(2, client_uuid);
  del.run();
}

}  // namespace blender_bus::sharing
