fn main() {
    enlist_widget::mount_all();
}
